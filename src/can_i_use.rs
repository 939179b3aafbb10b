//! `my.canIUse(schema)`: true exactly for what this shim implements.
//!
//! Schemas follow the Alipay form `api`, `api.object.param`, `api.return.field`,
//! `api.success.field`. The static list in `www/my.js` (answers before the wasm loads)
//! must equal [`SUPPORTED`]; the bootstrap browser test checks that.

/// One implemented API and its supported parameters and results.
pub struct ApiSupport {
    /// The API name (`request`).
    pub name: &'static str,
    /// Options the API reads (`object.*`).
    pub object: &'static [&'static str],
    /// Members of the synchronous return value (`return.*`).
    pub returns: &'static [&'static str],
    /// Fields of the success result (`success.*`).
    pub success: &'static [&'static str],
}

/// The fields of the system info, the same for `getSystemInfo`'s success and
/// `getSystemInfoSync`'s return value.
const SYSTEM_INFO: &[&str] = &[
    "model",
    "pixelRatio",
    "windowWidth",
    "windowHeight",
    "language",
    "version",
    "storage",
    "currentBattery",
    "system",
    "platform",
    "titleBarHeight",
    "statusBarHeight",
    "screenWidth",
    "screenHeight",
    "brand",
    "fontSizeSetting",
    "app",
];

/// What the Promise of `uploadFile`/`downloadFile` also is (the typings' UploadTask and
/// DownloadTask).
const TRANSFER_TASK: &[&str] = &[
    "abort",
    "onProgressUpdate",
    "offProgressUpdate",
    "onHeadersReceived",
    "offHeadersReceived",
];

/// Everything implemented. Add an entry when an API lands.
pub const SUPPORTED: &[ApiSupport] = &[
    ApiSupport {
        name: "request",
        object: &[
            "url",
            "method",
            "headers",
            "header",
            "data",
            "timeout",
            "dataType",
            "enableCookie",
            "httpErrorAsFail",
            "success",
            "fail",
            "complete",
        ],
        returns: &["abort"],
        success: &["data", "status", "headers", "statusCode", "header"],
    },
    ApiSupport {
        name: "getAuthCode",
        object: &["scopes", "success", "fail", "complete"],
        returns: &[],
        success: &["authCode", "authSuccessScopes", "authErrorScopes"],
    },
    ApiSupport {
        name: "tradePay",
        object: &[
            "paymentUrl",
            "tradeNO",
            "orderStr",
            "success",
            "fail",
            "complete",
        ],
        returns: &[],
        success: &["resultCode"],
    },
    ApiSupport {
        name: "alert",
        object: &[
            "title",
            "content",
            "buttonText",
            "success",
            "fail",
            "complete",
        ],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "confirm",
        object: &[
            "title",
            "content",
            "confirmButtonText",
            "cancelButtonText",
            "success",
            "fail",
            "complete",
        ],
        returns: &[],
        success: &["confirm"],
    },
    ApiSupport {
        name: "showToast",
        object: &["content", "type", "duration", "success", "fail", "complete"],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "hideToast",
        object: &["success", "fail", "complete"],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "showLoading",
        object: &["content", "delay", "success", "fail", "complete"],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "hideLoading",
        object: &["success", "fail", "complete"],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "setClipboard",
        object: &["text", "success", "fail", "complete"],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "getClipboard",
        object: &["success", "fail", "complete"],
        returns: &[],
        success: &["text"],
    },
    ApiSupport {
        name: "getSystemInfo",
        object: &["success", "fail", "complete"],
        returns: &[],
        success: SYSTEM_INFO,
    },
    ApiSupport {
        name: "setStorage",
        object: &["key", "data", "success", "fail", "complete"],
        returns: &[],
        success: &["success"],
    },
    ApiSupport {
        name: "getStorage",
        object: &["key", "success", "fail", "complete"],
        returns: &[],
        success: &["data"],
    },
    ApiSupport {
        name: "removeStorage",
        object: &["key", "success", "fail", "complete"],
        returns: &[],
        success: &["success"],
    },
    ApiSupport {
        name: "setStorageSync",
        object: &["key", "data"],
        returns: &["success"],
        success: &[],
    },
    ApiSupport {
        name: "getStorageSync",
        object: &["key"],
        returns: &["data"],
        success: &[],
    },
    ApiSupport {
        name: "removeStorageSync",
        object: &["key"],
        returns: &["success"],
        success: &[],
    },
    ApiSupport {
        name: "canIUse",
        object: &[],
        returns: &[],
        success: &[],
    }, // --- issue 9 core: storage and info Sync forms, network, app events, device -----------
    ApiSupport {
        name: "clearStorage",
        object: &["success", "fail", "complete"],
        returns: &[],
        success: &["success"],
    },
    ApiSupport {
        name: "clearStorageSync",
        object: &[],
        returns: &["success"],
        success: &[],
    },
    ApiSupport {
        name: "getStorageInfo",
        object: &["success", "fail", "complete"],
        returns: &[],
        success: &["keys", "currentSize", "limitSize"],
    },
    ApiSupport {
        name: "getStorageInfoSync",
        object: &[],
        returns: &["keys", "currentSize", "limitSize"],
        success: &[],
    },
    ApiSupport {
        name: "getSystemInfoSync",
        object: &[],
        returns: SYSTEM_INFO,
        success: &[],
    },
    ApiSupport {
        name: "getWindowInfo",
        object: &[],
        returns: &[
            "pixelRatio",
            "screenWidth",
            "screenHeight",
            "windowWidth",
            "windowHeight",
            "statusBarHeight",
            "safeArea",
        ],
        success: &[],
    },
    ApiSupport {
        name: "getAppBaseInfo",
        object: &[],
        returns: &["SDKVersion", "language", "version"],
        success: &[],
    },
    ApiSupport {
        name: "getAccountInfoSync",
        object: &[],
        returns: &["miniProgram"],
        success: &[],
    },
    ApiSupport {
        name: "getAppIdSync",
        object: &[],
        returns: &["appId"],
        success: &[],
    },
    ApiSupport {
        name: "getLaunchOptionsSync",
        object: &[],
        returns: &["path", "query", "scene", "apiCategory"],
        success: &[],
    },
    ApiSupport {
        name: "getEnterOptionsSync",
        object: &[],
        returns: &["path", "query", "scene", "apiCategory"],
        success: &[],
    },
    ApiSupport {
        name: "getNetworkType",
        object: &["success", "fail", "complete"],
        returns: &[],
        success: &["networkAvailable", "networkType"],
    },
    ApiSupport {
        name: "onNetworkStatusChange",
        object: &[],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "offNetworkStatusChange",
        object: &[],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "onAppShow",
        object: &[],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "offAppShow",
        object: &[],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "onAppHide",
        object: &[],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "offAppHide",
        object: &[],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "onError",
        object: &[],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "offError",
        object: &[],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "onUnhandledRejection",
        object: &[],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "offUnhandledRejection",
        object: &[],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "vibrate",
        object: &["success", "fail", "complete"],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "vibrateShort",
        object: &["success", "fail", "complete"],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "vibrateLong",
        object: &["success", "fail", "complete"],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "makePhoneCall",
        object: &["number", "success", "fail", "complete"],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "setKeepScreenOn",
        object: &["keepScreenOn", "success", "fail", "complete"],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "getScreenBrightness",
        object: &["success", "fail", "complete"],
        returns: &[],
        success: &["brightness"],
    },
    ApiSupport {
        name: "setScreenBrightness",
        object: &["brightness", "success", "fail", "complete"],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "getBatteryInfo",
        object: &["success", "fail", "complete"],
        returns: &[],
        success: &["level", "isCharging"],
    },
    ApiSupport {
        name: "getBatteryInfoSync",
        object: &[],
        returns: &["level", "isCharging"],
        success: &[],
    },
    // ---- pickers (src/pickers.rs) ----
    ApiSupport {
        name: "showActionSheet",
        object: &[
            "title",
            "items",
            "cancelButtonText",
            "destructiveBtnIndex",
            "badges",
            "success",
            "fail",
            "complete",
        ],
        returns: &[],
        success: &["index", "success"],
    },
    ApiSupport {
        name: "prompt",
        object: &[
            "title",
            "message",
            "align",
            "placeholder",
            "okButtonText",
            "cancelButtonText",
            "success",
            "fail",
            "complete",
        ],
        returns: &[],
        success: &["ok", "inputValue"],
    },
    ApiSupport {
        name: "showModal",
        object: &[
            "title",
            "content",
            "showCancel",
            "cancelText",
            "confirmText",
            "editable",
            "placeholderText",
            "success",
            "fail",
            "complete",
        ],
        returns: &[],
        success: &["confirm", "cancel", "content"],
    },
    ApiSupport {
        name: "datePicker",
        object: &[
            "format",
            "currentDate",
            "startDate",
            "endDate",
            "success",
            "fail",
            "complete",
        ],
        returns: &[],
        success: &["date"],
    },
    ApiSupport {
        name: "optionsSelect",
        object: &[
            "title",
            "optionsOne",
            "optionsTwo",
            "selectedOneIndex",
            "selectedTwoIndex",
            "positiveString",
            "negativeString",
            "success",
            "fail",
            "complete",
        ],
        returns: &[],
        success: &[
            "selectedOneIndex",
            "selectedOneOption",
            "selectedTwoIndex",
            "selectedTwoOption",
        ],
    },
    ApiSupport {
        name: "multiLevelSelect",
        object: &["title", "list", "success", "fail", "complete"],
        returns: &[],
        success: &["success", "result"],
    },
    ApiSupport {
        name: "chooseCity",
        object: &[
            "cities",
            "hotCities",
            "showHotCities",
            "success",
            "fail",
            "complete",
        ],
        returns: &[],
        success: &["city", "adCode"],
    },
    ApiSupport {
        name: "hideKeyboard",
        object: &["success", "fail", "complete"],
        returns: &[],
        success: &["success"],
    },
    // ---- device inputs (src/device.rs) ----
    ApiSupport {
        name: "getLocation",
        object: &["type", "cacheTimeout", "success", "fail", "complete"],
        returns: &[],
        success: &[
            "longitude",
            "latitude",
            "accuracy",
            "horizontalAccuracy",
            "country",
            "countryCode",
            "province",
            "city",
            "cityAdcode",
            "district",
            "districtAdcode",
            "streetNumber",
            "pois",
        ],
    },
    ApiSupport {
        name: "scan",
        object: &["scanType", "success", "fail", "complete"],
        returns: &[],
        success: &[
            "code",
            "qrCode",
            "barCode",
            "imageChannel",
            "result",
            "scanType",
            "rawData",
        ],
    },
    ApiSupport {
        name: "choosePhoneContact",
        object: &["success", "fail", "complete"],
        returns: &[],
        success: &["name", "mobile"],
    },
    ApiSupport {
        name: "openLocation",
        object: &[
            "latitude",
            "longitude",
            "name",
            "address",
            "scale",
            "success",
            "fail",
            "complete",
        ],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "addPhoneContact",
        object: &[
            "firstName",
            "lastName",
            "nickName",
            "mobilePhoneNumber",
            "success",
            "fail",
            "complete",
        ],
        returns: &[],
        success: &["success"],
    },
    // ---- files over the network and sockets (src/network.rs, src/socket.rs) ----
    ApiSupport {
        name: "downloadFile",
        object: &["url", "header", "headers", "success", "fail", "complete"],
        returns: TRANSFER_TASK,
        success: &["apFilePath", "tempFilePath", "headers", "header"],
    },
    ApiSupport {
        name: "uploadFile",
        object: &[
            "url", "filePath", "name", "fileName", "fileType", "header", "headers", "formData",
            "success", "fail", "complete",
        ],
        returns: TRANSFER_TASK,
        success: &["data", "statusCode", "header"],
    },
    ApiSupport {
        name: "connectSocket",
        object: &[
            "url",
            "data",
            "protocols",
            "multiple",
            "success",
            "fail",
            "complete",
        ],
        returns: &[
            "send",
            "close",
            "onOpen",
            "offOpen",
            "onMessage",
            "offMessage",
            "onError",
            "offError",
            "onClose",
            "offClose",
        ],
        success: &[],
    },
    ApiSupport {
        name: "sendSocketMessage",
        object: &["data", "isBuffer", "success", "fail", "complete"],
        returns: &[],
        success: &["success"],
    },
    ApiSupport {
        name: "closeSocket",
        object: &["code", "reason", "success", "fail", "complete"],
        returns: &[],
        success: &["message"],
    },
    ApiSupport {
        name: "onSocketOpen",
        object: &[],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "offSocketOpen",
        object: &[],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "onSocketMessage",
        object: &[],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "offSocketMessage",
        object: &[],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "onSocketError",
        object: &[],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "offSocketError",
        object: &[],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "onSocketClose",
        object: &[],
        returns: &[],
        success: &[],
    },
    ApiSupport {
        name: "offSocketClose",
        object: &[],
        returns: &[],
        success: &[],
    },
];

/// Answers `my.canIUse(schema)`.
pub fn can_i_use(schema: &str) -> bool {
    let mut parts = schema.trim().splitn(3, '.');
    let name = parts.next().unwrap_or_default();
    let Some(api) = SUPPORTED.iter().find(|a| a.name == name) else {
        return false;
    };
    match (parts.next(), parts.next()) {
        (None, _) => true,
        (Some("object"), Some(p)) => api.object.contains(&p),
        (Some("return"), Some(p)) => api.returns.contains(&p),
        (Some("success"), Some(p)) => api.success.contains(&p),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_for_the_pickers() {
        let cases = [
            ("showActionSheet.success.index", true),
            ("showActionSheet.object.items", true),
            ("prompt.success.inputValue", true),
            ("showModal.object.editable", true),
            ("datePicker.success.date", true),
            ("optionsSelect.success.selectedTwoOption", true),
            ("multiLevelSelect.object.list", true),
            ("chooseCity.success.adCode", true),
            ("chooseCity.object.setLocatedCity", false),
            ("hideKeyboard", true),
            ("regionPicker", false),
            ("getLocation.object.type", true),
            ("getLocation.success.streetNumber", true),
            ("scan.success.qrCode", true),
            ("choosePhoneContact.success.mobile", true),
            ("addPhoneContact.object.mobilePhoneNumber", true),
            ("openLocation.object.scale", true),
            ("chooseLocation", false),
            ("downloadFile.success.apFilePath", true),
            ("downloadFile.return.onProgressUpdate", true),
            ("uploadFile.object.formData", true),
            ("uploadFile.object.hideLoading", false),
            ("connectSocket.object.header", false),
            ("connectSocket.return.onMessage", true),
            ("sendSocketMessage.object.isBuffer", true),
            ("onSocketClose", true),
        ];
        for (schema, expected) in cases {
            assert_eq!(can_i_use(schema), expected, "{schema:?}");
        }
    }

    #[test]
    fn answers_true_exactly_for_what_is_implemented() {
        let cases = [
            ("request", true),
            (" request ", true),
            ("request.object.url", true),
            ("request.object.header", true),
            ("request.object.dataType", true),
            ("request.return.abort", true),
            ("request.success.statusCode", true),
            ("request.object.nope", false),
            ("request.object", false),
            ("request.callback.x", false),
            ("alert", true),
            ("alert.object.buttonText", true),
            ("canIUse", true),
            ("tradePay", true),
            ("tradePay.object.paymentUrl", true),
            ("tradePay.success.resultCode", true),
            ("tradePay.object.amount", false),
            ("getAuthCode", true),
            ("getAuthCode.object.scopes", true),
            ("getAuthCode.success.authCode", true),
            ("confirm.success.confirm", true),
            ("confirm.object.cancelButtonText", true),
            ("showToast.object.type", true),
            ("showToast.object.icon", false),
            ("showLoading.object.delay", true),
            ("hideLoading", true),
            ("hideToast", true),
            ("getClipboard.success.text", true),
            ("setClipboard.object.text", true),
            ("getSystemInfo.success.windowWidth", true),
            ("getSystemInfo.success.SDKVersion", false),
            ("getSystemInfoSync", true),
            ("getSystemInfoSync.return.windowWidth", true),
            ("getStorageInfo.success.limitSize", true),
            ("getNetworkType.success.networkType", true),
            ("clearStorageSync", true),
            ("startBeaconDiscovery", false),
            ("chooseImage", false),
            ("someFutureApi", false),
            ("setStorage.object.data", true),
            ("getStorage.success.data", true),
            ("getStorageSync.return.data", true),
            ("removeStorageSync", true),
            ("clearStorage", true),
            ("", false),
            ("Request", false),
        ];
        for (schema, expected) in cases {
            assert_eq!(can_i_use(schema), expected, "{schema:?}");
        }
    }
}
