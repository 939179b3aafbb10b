//! `my.uploadFile` and `my.downloadFile` without the browser: option validation, the
//! multipart body, the file size caps and the progress figures (DESIGN.md "Files over the
//! network").
//!
//! Both go where `my.request` goes (the domain whitelist, error 4 naming the domain; the relay
//! in the simulator) and both are bounded: a download is at most [`MAX_DOWNLOAD_BYTES`] (the
//! relay's answer cap), an upload's whole multipart body at most [`MAX_UPLOAD_BYTES`] (the
//! relay's request body cap). Over a cap the call fails with a message naming the limit.

use crate::config::Config;
use crate::error::ApiError;
use crate::url::RequestUrl;

/// Largest file `my.downloadFile` keeps: 10 MiB, the relay's response body cap.
pub const MAX_DOWNLOAD_BYTES: usize = 10 * 1024 * 1024;
/// Largest multipart body `my.uploadFile` sends (file and form fields): 1 MiB, the relay's
/// request body cap.
pub const MAX_UPLOAD_BYTES: usize = 1024 * 1024;
/// How long an upload or download may take, in ms (the relay's largest timeout).
pub const TRANSFER_TIMEOUT_MS: u32 = 60_000;
/// At most this many `formData` fields.
pub const MAX_FORM_FIELDS: usize = 64;

/// The `fileType` of `my.uploadFile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    /// `image`.
    Image,
    /// `video`.
    Video,
    /// `audio`.
    Audio,
}

impl FileType {
    /// `image`, `video` or `audio` (any case).
    pub fn parse(text: &str) -> Option<FileType> {
        match text.to_ascii_lowercase().as_str() {
            "image" => Some(FileType::Image),
            "video" => Some(FileType::Video),
            "audio" => Some(FileType::Audio),
            _ => None,
        }
    }

    /// The content type of the file part when the stored file has none: `image/*` and so on
    /// (`application/octet-stream` when the call named no `fileType`).
    pub fn fallback_mime(self) -> &'static str {
        match self {
            FileType::Image => "image/*",
            FileType::Video => "video/*",
            FileType::Audio => "audio/*",
        }
    }
}

/// `my.downloadFile`'s options as read from JS.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DownloadInput {
    /// `url`.
    pub url: Option<String>,
    /// `header` (or `headers`).
    pub headers: Vec<(String, String)>,
}

/// A download that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidDownload {
    /// Where it comes from.
    pub url: RequestUrl,
    /// Headers to send.
    pub headers: Vec<(String, String)>,
}

impl DownloadInput {
    /// Error 2 naming the option, then error 4 naming a domain outside the whitelist.
    pub fn validate_for(self, config: &Config) -> Result<ValidDownload, ApiError> {
        let url = required_url(self.url)?;
        check_headers(&self.headers)?;
        config.whitelist.check(&url)?;
        Ok(ValidDownload {
            url,
            headers: self.headers,
        })
    }
}

/// `my.uploadFile`'s options as read from JS.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UploadInput {
    /// `url`.
    pub url: Option<String>,
    /// `filePath`: an `apFilePath` of the simulator's file store.
    pub file_path: Option<String>,
    /// `name`: the form field of the file.
    pub name: Option<String>,
    /// `fileName`: the typings' alias of `name`.
    pub file_name: Option<String>,
    /// `fileType`.
    pub file_type: Option<String>,
    /// `header` (or `headers`).
    pub headers: Vec<(String, String)>,
    /// `formData`, as `(key, String(value))`.
    pub form_data: Vec<(String, String)>,
}

/// An upload that passed validation (the file itself is looked up by the glue).
#[derive(Debug, Clone, PartialEq)]
pub struct ValidUpload {
    /// Where it goes.
    pub url: RequestUrl,
    /// The stored file's path.
    pub file_path: String,
    /// The form field the file goes in.
    pub field: String,
    /// `image`, `video` or `audio`; `None` when the call named none (a device uploads without
    /// it, and public mini programs leave it out).
    pub file_type: Option<FileType>,
    /// Headers to send (without `content-type`: the multipart one is set).
    pub headers: Vec<(String, String)>,
    /// The other form fields.
    pub form_data: Vec<(String, String)>,
}

impl UploadInput {
    /// Error 2 naming the option, then error 4 naming a domain outside the whitelist.
    pub fn validate_for(self, config: &Config) -> Result<ValidUpload, ApiError> {
        let url = required_url(self.url)?;
        let file_path = self
            .file_path
            .filter(|p| !p.is_empty())
            .ok_or_else(|| ApiError::invalid("filePath", "is required (an apFilePath)"))?;
        let field = match (self.name, self.file_name) {
            (Some(n), _) if !n.is_empty() => n,
            (_, Some(n)) if !n.is_empty() => n,
            _ => {
                return Err(ApiError::invalid(
                    "name",
                    "is required: the form field the file is sent in",
                ))
            }
        };
        check_field_name("name", &field)?;
        let file_type = match self.file_type.as_deref() {
            None => None,
            Some(t) => Some(FileType::parse(t).ok_or_else(|| {
                ApiError::invalid(
                    "fileType",
                    format!("{t:?} is not one of image, video, audio"),
                )
            })?),
        };
        check_headers(&self.headers)?;
        if self.form_data.len() > MAX_FORM_FIELDS {
            return Err(ApiError::invalid(
                "formData",
                format!("has more than {MAX_FORM_FIELDS} fields"),
            ));
        }
        for (key, _) in &self.form_data {
            check_field_name(&format!("formData.{key}"), key)?;
        }
        let headers = self
            .headers
            .into_iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("content-type"))
            .collect();
        config.whitelist.check(&url)?;
        Ok(ValidUpload {
            url,
            file_path,
            field,
            file_type,
            headers,
            form_data: self.form_data,
        })
    }
}

fn required_url(url: Option<String>) -> Result<RequestUrl, ApiError> {
    match url.as_deref() {
        None | Some("") => Err(ApiError::invalid("url", "is required")),
        Some(u) => RequestUrl::parse(u),
    }
}

/// Header names are HTTP tokens; values carry no CR, LF or NUL (error 2 naming `header.<name>`).
pub fn check_headers(headers: &[(String, String)]) -> Result<(), ApiError> {
    let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    for (name, value) in headers {
        if name.is_empty() || !name.bytes().all(token) {
            return Err(ApiError::invalid(
                format!("header.{name}"),
                "is not a valid header name",
            ));
        }
        if value.contains(['\r', '\n', '\0']) {
            return Err(ApiError::invalid(
                format!("header.{name}"),
                "must not contain CR, LF or NUL",
            ));
        }
    }
    Ok(())
}

/// A form field name goes into a `content-disposition` header: no CR, LF or NUL, ≤ 256 bytes.
fn check_field_name(option: &str, name: &str) -> Result<(), ApiError> {
    if name.is_empty() || name.len() > 256 || name.contains(['\r', '\n', '\0']) {
        return Err(ApiError::invalid(
            option,
            "must be a non-empty field name of at most 256 bytes without CR, LF or NUL",
        ));
    }
    Ok(())
}

/// A quoted `content-disposition` parameter as browsers write it (HTML's form encoding):
/// `"` → `%22`, CR → `%0D`, LF → `%0A`.
fn quoted(text: &str) -> String {
    text.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// The file's name in the upload: the last segment of its path.
pub fn file_name_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// A downloaded file's own name: the last segment of its URL's path (its extension names the
/// stored file's type when the content type does not).
pub fn download_name(url: &str) -> &str {
    file_name_of(url.split(['?', '#']).next().unwrap_or(url))
}

/// The `multipart/form-data` body: the form fields in order, then the file. `boundary` must not
/// occur in the data (the glue makes it from 16 random bytes).
pub fn multipart(
    boundary: &str,
    form_data: &[(String, String)],
    field: &str,
    file_name: &str,
    mime: &str,
    file: &[u8],
) -> Vec<u8> {
    let mut body = Vec::with_capacity(file.len() + 256 * (form_data.len() + 1));
    for (key, value) in form_data {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\ncontent-disposition: form-data; name=\"{}\"\r\n\r\n",
                quoted(key)
            )
            .as_bytes(),
        );
        body.extend_from_slice(value.as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\ncontent-disposition: form-data; name=\"{}\"; filename=\"{}\"\r\ncontent-type: {mime}\r\n\r\n",
            quoted(field),
            quoted(file_name)
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    body
}

/// The multipart body is over [`MAX_UPLOAD_BYTES`]: error 2 on `filePath`, naming the limit.
pub fn check_upload_size(file_path: &str, body_len: usize) -> Result<(), ApiError> {
    if body_len > MAX_UPLOAD_BYTES {
        return Err(ApiError::invalid(
            "filePath",
            format!(
                "{file_path} makes an upload of {body_len} bytes; uploadFile sends at most {MAX_UPLOAD_BYTES} bytes (1 MiB, file and form fields)"
            ),
        ));
    }
    Ok(())
}

/// A download over [`MAX_DOWNLOAD_BYTES`]: error 12 naming the limit.
pub fn download_too_large() -> ApiError {
    ApiError::Limit {
        code: 12,
        message: format!(
            "downloadFile:fail the file is over {MAX_DOWNLOAD_BYTES} bytes (10 MiB), the simulator's limit for one download"
        ),
    }
}

/// `onProgressUpdate`'s figures: `(progress in 0..=100, bytes written, bytes expected)`.
/// `done`/`total` are what moved so far of what moves in all (for the relay, its envelope);
/// `size` is the file's size when known, which the figures are then given in.
pub fn progress(done: f64, total: f64, size: Option<f64>) -> (u32, f64, f64) {
    if !(total.is_finite() && total > 0.0 && done.is_finite() && done >= 0.0) {
        return (0, done.max(0.0), size.unwrap_or(0.0));
    }
    let fraction = (done / total).min(1.0);
    let percent = (fraction * 100.0).floor() as u32;
    match size {
        Some(size) if size.is_finite() && size >= 0.0 => (percent, (size * fraction).floor(), size),
        _ => (percent, done.min(total), total),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        let mut config = Config::default();
        config
            .apply(crate::config::ConfigPatch {
                whitelist: Some(vec!["127.0.0.1:8791".into()]),
                ..Default::default()
            })
            .expect("whitelist");
        config
    }

    fn upload() -> UploadInput {
        UploadInput {
            url: Some("http://127.0.0.1:8791/upload".into()),
            file_path: Some("https://resource/apml00.png".into()),
            name: Some("file".into()),
            file_type: Some("image".into()),
            ..UploadInput::default()
        }
    }

    #[test]
    fn bad_upload_options_fail_with_code_2_naming_the_option() {
        let cases: Vec<(UploadInput, &str)> = vec![
            (
                UploadInput {
                    url: None,
                    ..upload()
                },
                "url",
            ),
            (
                UploadInput {
                    url: Some("ftp://x/".into()),
                    ..upload()
                },
                "url",
            ),
            (
                UploadInput {
                    file_path: None,
                    ..upload()
                },
                "filePath",
            ),
            (
                UploadInput {
                    file_path: Some(String::new()),
                    ..upload()
                },
                "filePath",
            ),
            (
                UploadInput {
                    name: None,
                    ..upload()
                },
                "name",
            ),
            (
                UploadInput {
                    name: Some("a\r\nb".into()),
                    ..upload()
                },
                "name",
            ),
            (
                UploadInput {
                    file_type: Some("pdf".into()),
                    ..upload()
                },
                "fileType",
            ),
            (
                UploadInput {
                    headers: vec![("bad name".into(), "v".into())],
                    ..upload()
                },
                "header.bad name",
            ),
            (
                UploadInput {
                    headers: vec![("x".into(), "a\nb".into())],
                    ..upload()
                },
                "header.x",
            ),
            (
                UploadInput {
                    form_data: vec![("k\n".into(), "v".into())],
                    ..upload()
                },
                "formData.k\n",
            ),
            (
                UploadInput {
                    form_data: (0..=MAX_FORM_FIELDS)
                        .map(|i| (format!("k{i}"), String::new()))
                        .collect(),
                    ..upload()
                },
                "formData",
            ),
        ];
        for (input, option) in cases {
            let debug = format!("{input:?}");
            match input.validate_for(&config()) {
                Err(ApiError::InvalidParameter { param, .. }) => {
                    assert_eq!(param, option, "{debug}")
                }
                other => panic!("{debug}: {other:?}"),
            }
        }
    }

    #[test]
    fn upload_takes_file_name_as_the_field_and_drops_a_given_content_type() {
        let valid = UploadInput {
            name: None,
            file_name: Some("avatar".into()),
            file_type: Some("IMAGE".into()),
            headers: vec![
                ("Content-Type".into(), "x".into()),
                ("x-id".into(), "7".into()),
            ],
            ..upload()
        }
        .validate_for(&config())
        .expect("valid");
        assert_eq!(valid.field, "avatar");
        assert_eq!(valid.file_type, Some(FileType::Image));
        assert_eq!(valid.headers, vec![("x-id".to_owned(), "7".to_owned())]);
        // No fileType: accepted, as a device accepts it (the file's own type is sent).
        let valid = UploadInput {
            file_type: None,
            ..upload()
        }
        .validate_for(&config())
        .expect("valid without fileType");
        assert_eq!(valid.file_type, None);
    }

    #[test]
    fn both_apis_refuse_a_domain_outside_the_whitelist_with_code_4() {
        let up = UploadInput {
            url: Some("http://127.0.0.1:9999/u".into()),
            ..upload()
        };
        assert_eq!(
            up.validate_for(&config()).map(|_| ()).unwrap_err().code(),
            4
        );
        let down = DownloadInput {
            url: Some("http://evil.localhost:8791/f".into()),
            headers: vec![],
        };
        let err = down.validate_for(&config()).unwrap_err();
        assert_eq!(err.code(), 4);
        assert!(err.to_string().contains("evil.localhost:8791"), "{err}");
        let ok = DownloadInput {
            url: Some("http://127.0.0.1:8791/f".into()),
            headers: vec![],
        };
        assert!(ok.validate_for(&config()).is_ok());
        let missing = DownloadInput::default()
            .validate_for(&config())
            .unwrap_err();
        assert!(matches!(missing, ApiError::InvalidParameter { ref param, .. } if param == "url"));
    }

    #[test]
    fn multipart_body_has_fields_then_the_file_with_escaped_names() {
        let body = multipart(
            "B",
            &[
                ("a".into(), "1".into()),
                ("q\"x".into(), "two words".into()),
            ],
            "file",
            "p\"q.png",
            "image/png",
            b"\x89PNG",
        );
        let expected = b"--B\r\ncontent-disposition: form-data; name=\"a\"\r\n\r\n1\r\n\
--B\r\ncontent-disposition: form-data; name=\"q%22x\"\r\n\r\ntwo words\r\n\
--B\r\ncontent-disposition: form-data; name=\"file\"; filename=\"p%22q.png\"\r\ncontent-type: image/png\r\n\r\n\x89PNG\r\n--B--\r\n";
        assert_eq!(body, expected.to_vec());
    }

    #[test]
    fn upload_cap_names_the_limit() {
        assert!(check_upload_size("p", MAX_UPLOAD_BYTES).is_ok());
        let err =
            check_upload_size("https://resource/apml1.bin", MAX_UPLOAD_BYTES + 1).unwrap_err();
        assert_eq!(err.code(), 2);
        assert!(err.to_string().contains("1048576"), "{err}");
        let err = download_too_large();
        assert_eq!(err.code(), 12);
        assert!(err.to_string().contains("10485760"), "{err}");
    }

    #[test]
    fn progress_is_given_in_file_bytes_when_the_size_is_known() {
        assert_eq!(progress(50.0, 200.0, None), (25, 50.0, 200.0));
        assert_eq!(progress(133.0, 133.0, Some(100.0)), (100, 100.0, 100.0));
        assert_eq!(progress(40.0, 133.0, Some(100.0)), (30, 30.0, 100.0));
        assert_eq!(progress(10.0, 0.0, None), (0, 10.0, 0.0));
        assert_eq!(progress(300.0, 200.0, None), (100, 200.0, 200.0));
    }

    #[test]
    fn file_names_are_the_last_path_segment() {
        assert_eq!(file_name_of("https://resource/apml1.png"), "apml1.png");
        assert_eq!(
            download_name("http://a/files/report.PDF?x=1/y#z/w"),
            "report.PDF"
        );
        assert_eq!(download_name("http://a/"), "");
        assert_eq!(file_name_of("plain"), "plain");
    }
}
