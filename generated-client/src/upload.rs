//! Files sent as parts of a `multipart/form-data` body (`create_attachment`): streamed from a file or from any
//! `AsyncRead`, never read into memory whole, and checked against the documented size limit before sending.

use crate::Error;
use futures_util::StreamExt;
use std::fmt;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use tokio::io::AsyncRead;

/// A file to upload: a path (opened and streamed by each attempt), bytes in memory, or a reader of your own
/// (streamed once: a call whose first attempt read it is not sent again).
///
/// ```no_run
/// # use generated_client::Upload;
/// let resume = Upload::file("resume.pdf").content_type("application/pdf");
/// let note = Upload::bytes("note.txt", b"hello".to_vec());
/// ```
#[derive(Clone)]
pub struct Upload {
    file_name: String,
    content_type: Option<String>,
    source: Source,
}

type Reader = Pin<Box<dyn AsyncRead + Send + Sync>>;

#[derive(Clone)]
enum Source {
    Path(PathBuf),
    Bytes(Arc<Vec<u8>>),
    Reader {
        reader: Arc<Mutex<Option<Reader>>>,
        len: Option<u64>,
    },
}

impl Upload {
    /// The file at `path`, sent under its own file name. It is opened when the request is sent, so its size is
    /// checked then, and each attempt reads it again.
    pub fn file(path: impl Into<PathBuf>) -> Upload {
        let path = path.into();
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Upload {
            file_name,
            content_type: None,
            source: Source::Path(path),
        }
    }

    /// `content`, sent as a file named `file_name`.
    pub fn bytes(file_name: impl Into<String>, content: Vec<u8>) -> Upload {
        Upload {
            file_name: file_name.into(),
            content_type: None,
            source: Source::Bytes(Arc::new(content)),
        }
    }

    /// What `reader` gives, sent as a file named `file_name`; `len`, when known, is checked against the size
    /// limit before sending, and otherwise the bytes are counted as they are sent. A reader is read once: an
    /// attempt after the first (after a refused connection, say) fails with [`Error::InvalidRequest`].
    pub fn reader(
        file_name: impl Into<String>,
        reader: impl AsyncRead + Send + Sync + 'static,
        len: Option<u64>,
    ) -> Upload {
        Upload {
            file_name: file_name.into(),
            content_type: None,
            source: Source::Reader {
                reader: Arc::new(Mutex::new(Some(Box::pin(reader)))),
                len,
            },
        }
    }

    /// The part's content type (`application/pdf`); `application/octet-stream` when not set.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Upload {
        self.content_type = Some(content_type.into());
        self
    }

    /// The form part for `field` of `operation`, at most `max_bytes` long: refused with
    /// [`Error::InvalidRequest`] before anything is sent when its size is known to be larger, or cut off with an
    /// error when a reader of unknown length gives more.
    pub(crate) async fn part(
        &self,
        operation: &'static str,
        field: &'static str,
        max_bytes: Option<u64>,
    ) -> Result<reqwest::multipart::Part, Error> {
        let refuse = |rule: String| Error::InvalidRequest {
            operation,
            parameter: field,
            rule,
        };
        let check = |len: u64| match max_bytes {
            Some(max) if len > max => Err(refuse(format!(
                "is {len} bytes; the page allows at most {max} bytes"
            ))),
            _ => Ok(()),
        };
        let part = match &self.source {
            Source::Bytes(content) => {
                check(content.len() as u64)?;
                reqwest::multipart::Part::bytes(content.as_ref().clone())
            }
            Source::Path(path) => {
                let file = tokio::fs::File::open(path)
                    .await
                    .map_err(|e| refuse(format!("cannot open {}: {e}", path.display())))?;
                let len = file
                    .metadata()
                    .await
                    .map_err(|e| refuse(format!("cannot read {}: {e}", path.display())))?
                    .len();
                check(len)?;
                let stream = tokio_util::io::ReaderStream::new(file);
                reqwest::multipart::Part::stream_with_length(
                    reqwest::Body::wrap_stream(stream),
                    len,
                )
            }
            Source::Reader { reader, len } => {
                if let Some(len) = len {
                    check(*len)?;
                }
                // A poisoned lock only means another attempt panicked; the reader it held is gone either way.
                let taken = reader.lock().unwrap_or_else(|e| e.into_inner()).take();
                let Some(reader) = taken else {
                    return Err(refuse(
                        "is a reader an earlier attempt of this call read; a reader is sent once (use \
                         `Upload::file` for an upload that can be sent again)"
                            .to_owned(),
                    ));
                };
                let mut sent = 0u64;
                let limit = max_bytes;
                let stream = tokio_util::io::ReaderStream::new(reader).map(move |chunk| {
                    let chunk = chunk?;
                    sent += chunk.len() as u64;
                    match limit {
                        Some(max) if sent > max => Err(std::io::Error::other(format!(
                            "the upload is longer than the {max} bytes the page allows"
                        ))),
                        _ => Ok(chunk),
                    }
                });
                let body = reqwest::Body::wrap_stream(stream);
                match len {
                    Some(len) => reqwest::multipart::Part::stream_with_length(body, *len),
                    None => reqwest::multipart::Part::stream(body),
                }
            }
        };
        let content_type = self
            .content_type
            .as_deref()
            .unwrap_or("application/octet-stream");
        part.file_name(self.file_name.clone())
            .mime_str(content_type)
            .map_err(|_| {
                refuse(format!(
                    "has a content type that is not a MIME type: {content_type:?}"
                ))
            })
    }
}

impl fmt::Debug for Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match &self.source {
            Source::Path(path) => format!("file {}", path.display()),
            Source::Bytes(content) => format!("{} bytes", content.len()),
            Source::Reader { len, .. } => match len {
                Some(len) => format!("a reader of {len} bytes"),
                None => "a reader".to_owned(),
            },
        };
        f.debug_struct("Upload")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("source", &source)
            .finish()
    }
}
