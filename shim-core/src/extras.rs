//! Which JSAPIs live in the extras module (`extras/`, built to `pkg/extras/`), loaded on the
//! first call of one of them (DESIGN.md "Size of the start wasm", the rule for where a new API
//! goes). The start module's `my` has a function for each name that loads the module once,
//! queues the calls made meanwhile and replays them; `www/my.js` needs no list of its own (it
//! forwards these names to the start module's `my`, and `canIUse` answers from the registry).
//!
//! Moving an API module here: move `src/<module>.rs` and `src/glue/<module>.rs` to
//! `extras/src/`, add its `methods()` to `extras/src/lib.rs`, and its names to this list
//! (CONTRIBUTING.md "Where a new JSAPI goes").

/// The names of `my` that the extras module implements. Async APIs, and the two audio APIs
/// whose object `src/glue/extras.js` makes at once (it replays on the module's driver what was
/// done before the module loaded). Not a Sync API (it must answer at once) nor a listener
/// (listeners register at once).
pub const NAMES: &[&str] = &[
    // pickers (extras/src/pickers.rs, extras/src/glue/pickers.rs)
    "showActionSheet",
    "prompt",
    "showModal",
    "datePicker",
    "optionsSelect",
    "multiLevelSelect",
    "chooseCity",
    "regionPicker",
    "hideKeyboard",
    // the phone's inputs (shim-core/src/inputs.rs, extras/src/glue/inputs.rs)
    "getLocation",
    "scan",
    "choosePhoneContact",
    // extras/src/contacts.rs, extras/src/glue/contacts.rs
    "chooseContact",
    "addPhoneContact",
    "openLocation",
    "chooseLocation",
    // the file store (shim-core/src/files.rs, shim-core/src/file_store.rs, extras/src/glue/files.rs)
    "saveFile",
    "getSavedFileList",
    "getSavedFileInfo",
    "removeSavedFile",
    "getFileInfo",
    "openDocument",
    // images (extras/src/media.rs, extras/src/glue/media.rs)
    "chooseImage",
    "previewImage",
    "saveImage",
    "getImageInfo",
    "compressImage",
    // the clipboard (extras/src/glue/clipboard.rs)
    "setClipboard",
    "getClipboard",
    // files over the network (extras/src/network.rs, extras/src/glue/network.rs)
    "downloadFile",
    "uploadFile",
    // sockets (extras/src/socket.rs, extras/src/glue/socket.rs; their global listeners
    // `onSocket*` register in the start module, src/glue/socket.rs)
    "connectSocket",
    "sendSocketMessage",
    "closeSocket",
    // the phone's actuators (extras/src/phone.rs, extras/src/glue/phone.rs)
    "vibrate",
    "vibrateShort",
    "vibrateLong",
    "makePhoneCall",
    "setKeepScreenOn",
    "getScreenBrightness",
    "setScreenBrightness",
    // audio (extras/src/audio.rs, extras/src/glue/audio.rs; the objects: src/glue/extras.js)
    "createInnerAudioContext",
    "getBackgroundAudioManager",
    // the authorizations the super app keeps (extras/src/glue/settings.rs)
    "getSetting",
    "openSetting",
    "getAuthUserInfo",
    // the super app's clock (extras/src/glue/server_time.rs)
    "getServerTime",
];

/// Whether `name` is an API of the extras module.
pub fn is_extra(name: &str) -> bool {
    NAMES.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_async_api_names_listed_once() {
        for (i, name) in NAMES.iter().enumerate() {
            assert!(
                !name.ends_with("Sync"),
                "{name}: a Sync API cannot load lazily"
            );
            let listener = |prefix: &str| {
                name.strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with(char::is_uppercase))
            };
            assert!(
                !listener("on") && !listener("off"),
                "{name}: a listener cannot load lazily"
            );
            assert!(!NAMES[..i].contains(name), "{name} is listed twice");
            assert!(is_extra(name));
        }
        assert!(!is_extra("request"));
    }
}
