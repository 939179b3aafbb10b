//! A full-height viewer sheet in the page (inside the phone frame in the simulator), for
//! `my.openDocument` and `my.previewImage`: a bar with the title and a Close button over a
//! body the caller fills. It is a picker sheet (`glue::pickers::Sheet`), so it is a labelled
//! `role=dialog`, Tab stays inside it, Escape and Close end it, and focus returns where it was.

use web_sys::Element;

use super::host::element;
use super::pickers::{Answer, Sheet};
use crate::error::ApiError;

const PANEL_STYLE: &str = "box-sizing:border-box;margin-top:auto;width:100%;height:94vh;\
display:flex;flex-direction:column;background:#111;color:#fff;border-radius:14px 14px 0 0;\
overflow:hidden;";
const BAR_STYLE: &str = "display:flex;align-items:center;gap:8px;padding:6px 8px;\
border-bottom:1px solid #333;";
const TITLE_STYLE: &str = "flex:1;margin:0;font-size:15px;font-weight:600;text-align:center;\
overflow:hidden;text-overflow:ellipsis;white-space:nowrap;";
const CLOSE_STYLE: &str = "padding:8px 12px;border:0;background:none;color:#69b1ff;\
font:inherit;cursor:pointer;";
const BODY_STYLE: &str = "flex:1;min-height:0;display:flex;align-items:center;\
justify-content:center;background:#000;";

/// An open viewer: fill [`Viewer::body`], then await [`Viewer::closed`].
pub(super) struct Viewer {
    sheet: Sheet,
    close: Element,
    /// Where the document or image goes.
    pub(super) body: Element,
    /// The bar, for extra controls (previous / next).
    pub(super) bar: Element,
}

impl Viewer {
    /// A viewer of `class` titled `title`.
    pub(super) fn new(class: &str, title: &str) -> Result<Self, ApiError> {
        let mut sheet = Sheet::new(class, title, "Viewer", true)?;
        let _ = sheet.panel.set_attribute("style", PANEL_STYLE);
        let bar = element(&sheet.document, "div", BAR_STYLE)?;
        let heading = element(&sheet.document, "h2", TITLE_STYLE)?;
        heading.set_text_content(Some(title));
        let _ = bar.append_child(&heading);
        let close = sheet.button(&bar, "Close", "cancel", CLOSE_STYLE, Answer::Cancel)?;
        let body = element(&sheet.document, "div", BODY_STYLE)?;
        let _ = sheet.panel.append_child(&bar);
        let _ = sheet.panel.append_child(&body);
        Ok(Viewer {
            sheet,
            close,
            body,
            bar,
        })
    }

    /// The page's document.
    pub(super) fn document(&self) -> &web_sys::Document {
        &self.sheet.document
    }

    /// The viewer's dialog element.
    pub(super) fn panel(&self) -> &Element {
        &self.sheet.panel
    }

    /// Shows the viewer with focus on Close, and waits until the user closes it (Close,
    /// Escape, or a tap outside). The sheet is removed when this returns.
    pub(super) async fn closed(mut self) -> Result<(), ApiError> {
        let close = self.close.clone();
        self.sheet.answer(&close).await?;
        Ok(())
    }
}
