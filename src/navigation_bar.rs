//! The title bar of an H5 mini program (`my.setNavigationBar`, `setNavigationBarTitle`,
//! `setNavigationBarColor`, `setNavigationBarBottomLineColor`, `showNavigationBarLoading`,
//! `hideNavigationBarLoading`): what the bar shows, and how each call changes it. The options'
//! rule (types, colours) is the one the native runtime's frame uses too
//! (`www/native/navigation-bar.js`); what reaches [`NavigationBar::apply`] has passed it.
//!
//! The simulator's shell draws the bar from the whole state after each call; standalone there
//! is no bar but the browser tab's title (DESIGN.md "The title bar of an H5 mini program").

/// What the bar shows. Empty strings: the shell's default (its colours, no image).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NavigationBar {
    /// The title the page set; `None` until it sets one (the shell shows the app's name).
    pub title: Option<String>,
    /// An absolute http(s) URL shown instead of the title.
    pub image: String,
    /// The bar's colour.
    pub background_color: String,
    /// The line under the bar.
    pub border_bottom_color: String,
    /// `#ffffff` or `#000000`: the title's colour.
    pub front_color: String,
    /// The loading indicator beside the title.
    pub loading: bool,
}

/// One call's change, each field only when given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BarChange {
    /// `title`.
    pub title: Option<String>,
    /// `image`, already resolved to an absolute URL (`Some("")` removes it).
    pub image: Option<String>,
    /// `backgroundColor`.
    pub background_color: Option<String>,
    /// `borderBottomColor`.
    pub border_bottom_color: Option<String>,
    /// `frontColor`.
    pub front_color: Option<String>,
    /// `reset: true`: back to the default colours and no image, before the rest applies; the
    /// title stays.
    pub reset: bool,
    /// `showNavigationBarLoading` (`Some(true)`) / `hideNavigationBarLoading` (`Some(false)`).
    pub loading: Option<bool>,
}

impl NavigationBar {
    /// Applies one call's change.
    pub fn apply(&mut self, change: BarChange) {
        if change.reset {
            self.image.clear();
            self.background_color.clear();
            self.border_bottom_color.clear();
            self.front_color.clear();
        }
        if let Some(title) = change.title {
            self.title = Some(title);
        }
        let fields = [
            (change.image, &mut self.image),
            (change.background_color, &mut self.background_color),
            (change.border_bottom_color, &mut self.border_bottom_color),
            (change.front_color, &mut self.front_color),
        ];
        for (given, field) in fields {
            if let Some(value) = given {
                *field = value;
            }
        }
        if let Some(loading) = change.loading {
            self.loading = loading;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_call_changes_only_what_it_gives() {
        let mut bar = NavigationBar::default();
        bar.apply(BarChange {
            title: Some("Orders".into()),
            background_color: Some("#ffd400".into()),
            ..BarChange::default()
        });
        bar.apply(BarChange {
            border_bottom_color: Some("#ff0000".into()),
            loading: Some(true),
            ..BarChange::default()
        });
        assert_eq!(bar.title.as_deref(), Some("Orders"));
        assert_eq!(bar.background_color, "#ffd400");
        assert_eq!(bar.border_bottom_color, "#ff0000");
        assert!(bar.loading);
        bar.apply(BarChange {
            loading: Some(false),
            ..BarChange::default()
        });
        assert!(!bar.loading);
        assert_eq!(
            bar.background_color, "#ffd400",
            "loading leaves the colours"
        );
    }

    #[test]
    fn reset_clears_colours_and_image_but_keeps_title_and_then_applies_the_rest() {
        let mut bar = NavigationBar {
            title: Some("Home".into()),
            image: "https://example.com/logo.png".into(),
            background_color: "#000".into(),
            border_bottom_color: "#111".into(),
            front_color: "#ffffff".into(),
            loading: true,
        };
        bar.apply(BarChange {
            reset: true,
            border_bottom_color: Some("#eee".into()),
            ..BarChange::default()
        });
        assert_eq!(
            bar,
            NavigationBar {
                title: Some("Home".into()),
                border_bottom_color: "#eee".into(),
                loading: true,
                ..NavigationBar::default()
            }
        );
    }

    #[test]
    fn an_empty_image_removes_it() {
        let mut bar = NavigationBar {
            image: "https://example.com/logo.png".into(),
            ..NavigationBar::default()
        };
        bar.apply(BarChange {
            image: Some(String::new()),
            ..BarChange::default()
        });
        assert_eq!(bar.image, "");
    }
}
