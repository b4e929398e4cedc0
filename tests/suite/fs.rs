//! `evloop::fs` through the facade: whole-file round trips, directories, metadata, and a
//! `File` read, written and sought, all on the blocking pool while the loop runs on.

use crate::common;

use std::io::{ErrorKind, SeekFrom};
use std::path::PathBuf;

use common::{pattern, run_bounded};
use evloop::fs::{self, File};
use futures::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

/// A fresh directory under the temp directory, removed with what it holds when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!("evloop-fs-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_round_trip_through_the_whole_file_functions() {
    run_bounded(async {
        let dir = TempDir::new("round-trip");
        fs::create_dir_all(dir.0.join("nested/deeper"))
            .await
            .unwrap();
        assert!(fs::metadata(dir.0.join("nested/deeper"))
            .await
            .unwrap()
            .is_dir());

        let path = dir.0.join("nested/deeper/data.bin");
        let data = pattern(300_000);
        fs::write(&path, &data).await.unwrap();
        assert_eq!(fs::read(&path).await.unwrap(), data);
        assert_eq!(fs::metadata(&path).await.unwrap().len(), data.len() as u64);

        fs::write(&path, "now text").await.unwrap();
        assert_eq!(fs::read_to_string(&path).await.unwrap(), "now text");

        let moved = dir.0.join("moved.txt");
        fs::rename(&path, &moved).await.unwrap();
        assert_eq!(fs::read_to_string(&moved).await.unwrap(), "now text");
        fs::remove_file(&moved).await.unwrap();
        let err = fs::read(&moved).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert!(err.to_string().contains("moved.txt"), "{err}");
    });
}

#[test]
fn a_file_is_written_sought_and_read_in_chunks() {
    run_bounded(async {
        let dir = TempDir::new("file");
        fs::create_dir_all(&dir.0).await.unwrap();
        let path = dir.0.join("big.bin");
        // 5 MiB: more than one blocking job's chunk (2 MiB) per write.
        let data = pattern(5 << 20);
        let mut file = File::create(&path).await.unwrap();
        file.write_all(&data).await.unwrap();
        file.flush().await.unwrap();
        assert_eq!(file.metadata().await.unwrap().len(), data.len() as u64);
        drop(file);

        let mut file = File::open(&path).await.unwrap();
        let mut back = vec![0; data.len()];
        file.read_exact(&mut back).await.unwrap();
        assert!(back == data, "read back differs");
        assert_eq!(file.read(&mut [0; 16]).await.unwrap(), 0, "not at the end");

        // Seek to the middle, read a little (the rest of the chunk is read ahead), then
        // seek relative to where the reader is, not where the std cursor went.
        let start = file.seek(SeekFrom::Start(1000)).await.unwrap();
        assert_eq!(start, 1000);
        let mut ten = [0; 10];
        file.read_exact(&mut ten).await.unwrap();
        assert_eq!(&ten[..], &data[1000..1010]);
        let here = file.seek(SeekFrom::Current(0)).await.unwrap();
        assert_eq!(here, 1010);
        let end = file.seek(SeekFrom::End(-5)).await.unwrap();
        assert_eq!(end, data.len() as u64 - 5);
        let mut tail = Vec::new();
        file.read_to_end(&mut tail).await.unwrap();
        assert_eq!(tail, &data[data.len() - 5..]);
    });
}

#[test]
fn a_write_after_a_partial_read_lands_where_the_reader_stopped() {
    run_bounded(async {
        let dir = TempDir::new("rw");
        fs::create_dir_all(&dir.0).await.unwrap();
        let path = dir.0.join("rw.txt");
        fs::write(&path, "0123456789").await.unwrap();
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true);
        let mut file = File::open_with(&path, options).await.unwrap();
        let mut three = [0; 3];
        file.read_exact(&mut three).await.unwrap(); // the whole file was read ahead
        file.write_all(b"abc").await.unwrap();
        file.close().await.unwrap();
        assert_eq!(fs::read_to_string(&path).await.unwrap(), "012abc6789");
    });
}

#[test]
fn many_files_read_at_once_come_back_in_order() {
    run_bounded(async {
        let dir = TempDir::new("concurrent");
        fs::create_dir_all(&dir.0).await.unwrap();
        let paths: Vec<PathBuf> = (0..8).map(|i| dir.0.join(format!("f{i}"))).collect();
        for (i, path) in paths.iter().enumerate() {
            fs::write(path, vec![i as u8; 100_000]).await.unwrap();
        }
        let reads = paths.iter().map(|p| fs::read(p.clone()));
        let contents = evloop::try_gather_all(reads).await.unwrap();
        for (i, content) in contents.iter().enumerate() {
            assert!(content.len() == 100_000 && content.iter().all(|&b| b == i as u8));
        }
    });
}

#[test]
fn opening_a_missing_file_names_it() {
    run_bounded(async {
        let err = File::open("/evloop/no/such/file").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert!(err.to_string().contains("/evloop/no/such/file"), "{err}");
    });
}
