use super::*;

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

#[test]
fn sources_follow_the_media_url_rules() {
    assert_eq!(source("").unwrap(), Source::None);
    assert_eq!(source("  ").unwrap(), Source::None);
    for ok in [
        "https://example.com/a.mp3",
        "HTTP://example.com/a.mp3?x=1",
        "blob:http://127.0.0.1:8701/abc",
        "data:audio/wav;base64,UklGRg==",
        "/assets/a.mp3",
        "assets/a.mp3",
        "a.mp3?t=1:2",
    ] {
        assert!(matches!(source(ok), Ok(Source::Url(_))), "{ok}");
    }
    let path = format!(
        "{}0123456789abcdef0123456789abcdef.mp3",
        shim_core::files::PATH_PREFIX
    );
    assert_eq!(source(&path).unwrap(), Source::File(path.clone()));
    for (bad, says) in [
        (
            "javascript:alert(1)",
            "the scheme javascript: is not allowed",
        ),
        (
            " JavaScript:alert(1)",
            "the scheme javascript: is not allowed",
        ),
        ("file:///etc/passwd", "the scheme file: is not allowed"),
        (
            "data:text/html,<script>",
            "a data: URL must be of an audio/ type",
        ),
        ("https:example.com", "an http(s) URL needs a host"),
        ("https://a\n.com/x.mp3", "control character"),
    ] {
        let e = source(bad).unwrap_err();
        assert!(e.contains(says), "{bad}: {e}");
    }
    let long = format!("https://example.com/{}", "a".repeat(MAX_SRC_LEN));
    assert!(source(&long).unwrap_err().contains("over the"));
}

#[test]
fn settings_check_their_values_and_name_the_property() {
    let k = Kind::Inner;
    assert_eq!(
        Setting::check(k, "volume", Value::Number(0.5)).unwrap(),
        Setting::Volume(0.5)
    );
    assert_eq!(
        Setting::check(k, "volume", Value::Number(0.0)).unwrap(),
        Setting::Volume(0.0)
    );
    assert_eq!(
        Setting::check(k, "volume", Value::Number(1.0)).unwrap(),
        Setting::Volume(1.0)
    );
    let e = Setting::check(k, "volume", Value::Number(1.5)).unwrap_err();
    assert_eq!(
        e,
        "InnerAudioContext.volume must be a number from 0 to 1, not 1.5"
    );
    let e = Setting::check(k, "volume", text("loud")).unwrap_err();
    assert!(e.contains("not the string \"loud\""), "{e}");
    assert!(Setting::check(k, "volume", Value::Number(f64::NAN)).is_err());
    assert_eq!(
        Setting::check(k, "startTime", Value::Number(3.5)).unwrap(),
        Setting::StartTime(3.5)
    );
    assert!(Setting::check(k, "startTime", Value::Number(-1.0))
        .unwrap_err()
        .contains("startTime"));
    assert!(Setting::check(k, "startTime", Value::Number(f64::INFINITY)).is_err());
    assert_eq!(
        Setting::check(k, "loop", Value::Bool(true)).unwrap(),
        Setting::Loop(true)
    );
    assert_eq!(
        Setting::check(k, "loop", text("false")).unwrap(),
        Setting::Loop(false)
    );
    assert!(Setting::check(k, "autoplay", Value::Number(1.0))
        .unwrap_err()
        .contains("autoplay must be a boolean"));
    assert_eq!(
        Setting::check(k, "obeyMuteSwitch", Value::Bool(false)).unwrap(),
        Setting::ObeyMuteSwitch(false)
    );
    assert_eq!(
        Setting::check(k, "playbackRate", Value::Number(2.0)).unwrap(),
        Setting::PlaybackRate(2.0)
    );
    assert!(Setting::check(k, "playbackRate", Value::Number(3.0)).is_err());
    assert!(Setting::check(k, "src", Value::Other("undefined"))
        .unwrap_err()
        .contains("src must be a string, not undefined"));
    assert!(Setting::check(k, "src", text("javascript:x"))
        .unwrap_err()
        .contains("javascript:"));
    // The read-only properties and the background manager's descriptions are not the inner
    // context's.
    assert!(Setting::check(k, "currentTime", Value::Number(1.0))
        .unwrap_err()
        .contains("not a writable property"));
    assert!(Setting::check(k, "title", text("x")).is_err());
}

#[test]
fn the_background_manager_has_descriptions_and_no_autoplay() {
    let k = Kind::Background;
    for name in ["title", "epname", "singer", "coverImgUrl", "webUrl"] {
        assert_eq!(
            Setting::check(k, name, text("x")).unwrap(),
            Setting::Text(name, "x".into())
        );
    }
    assert!(Setting::check(k, "title", text(&"x".repeat(1025))).is_err());
    assert!(Setting::check(k, "title", Value::Other("object"))
        .unwrap_err()
        .contains("BackgroundAudioManager.title must be a string"));
    assert_eq!(
        Setting::check(k, "protocol", text("hls")).unwrap(),
        Setting::Text("protocol", "hls".into())
    );
    assert!(Setting::check(k, "protocol", text("rtmp")).is_err());
    assert!(Setting::check(k, "autoplay", Value::Bool(true)).is_err());
    assert!(Kind::Background.events().contains(&"Prev") && !Kind::Inner.events().contains(&"Next"));
}

#[test]
fn seek_positions_are_seconds() {
    assert_eq!(seek_position(Kind::Inner, Some(2.5)), Ok(2.5));
    assert!(seek_position(Kind::Inner, Some(-1.0))
        .unwrap_err()
        .contains("seek(position)"));
    assert!(seek_position(Kind::Inner, None).is_err());
    assert!(seek_position(Kind::Background, Some(f64::NAN))
        .unwrap_err()
        .starts_with("BackgroundAudioManager"));
}

#[test]
fn media_errors_have_the_documented_codes() {
    assert_eq!(error_code(1), -1);
    assert_eq!(error_code(2), 10002);
    assert_eq!(error_code(3), 10004);
    assert_eq!(error_code(4), 10003);
    assert_eq!(error_code(9), -1);
}

fn run(events: &mut Events, media: &[(Media, bool)]) -> Vec<Step> {
    media
        .iter()
        .filter_map(|(m, ended)| events.media(*m, *ended))
        .collect()
}

#[test]
fn a_play_through_gives_the_documented_order() {
    let mut e = Events::new();
    e.source_set(0.0);
    use Media::*;
    let steps = run(
        &mut e,
        &[
            (LoadedMetadata, false),
            (CanPlay, false),
            (Play, false),
            (TimeUpdate, false),
            (CanPlay, false), // again after a seek: once per source
            (Pause, true),    // the element pauses at the end
            (Ended, true),
        ],
    );
    assert_eq!(
        steps,
        vec![
            Step::Emit("canplay"),
            Step::Emit("play"),
            Step::Emit("timeUpdate"),
            Step::Emit("ended")
        ]
    );
    // A new source: canplay again.
    e.source_set(0.0);
    assert_eq!(e.media(CanPlay, false), Some(Step::Emit("canplay")));
}

#[test]
fn stop_replaces_the_pause_and_the_seek_back() {
    use Media::*;
    let mut e = Events::new();
    e.source_set(0.0);
    assert_eq!(e.stop(true, false), Some("stop"));
    let steps = run(
        &mut e,
        &[
            (Pause, false),
            (Seeking, false),
            (TimeUpdate, false),
            (Seeked, false),
        ],
    );
    assert!(steps.is_empty(), "{steps:?}");
    // Later seeks and pauses are reported again.
    let steps = run(
        &mut e,
        &[
            (Play, false),
            (Seeking, false),
            (Seeked, false),
            (Pause, false),
        ],
    );
    assert_eq!(
        steps,
        vec![
            Step::Emit("play"),
            Step::Emit("seeking"),
            Step::Emit("seeked"),
            Step::Emit("pause")
        ]
    );
    // stop() while paused at 0: only `stop`, and the next pause is reported.
    assert_eq!(e.stop(false, true), Some("stop"));
    assert_eq!(e.media(Play, false), Some(Step::Emit("play")));
    assert_eq!(e.media(Pause, false), Some(Step::Emit("pause")));
}

#[test]
fn start_time_is_a_silent_jump_once_per_source() {
    use Media::*;
    let mut e = Events::new();
    e.source_set(1.5);
    assert_eq!(e.media(LoadedMetadata, false), Some(Step::Jump(1.5)));
    let steps = run(
        &mut e,
        &[(Seeking, false), (Seeked, false), (CanPlay, false)],
    );
    assert_eq!(steps, vec![Step::Emit("canplay")]);
    // The metadata of the same source again (a reload) does not jump again.
    assert_eq!(e.media(LoadedMetadata, false), None);
    e.source_set(0.0);
    e.start_time(2.0);
    assert_eq!(e.media(LoadedMetadata, false), Some(Step::Jump(2.0)));
}

#[test]
fn a_destroyed_context_emits_nothing() {
    let mut e = Events::new();
    e.destroy();
    assert!(e.destroyed());
    assert_eq!(e.media(Media::Play, false), None);
    assert_eq!(e.stop(true, false), None);
    for name in Media::NAMES {
        assert!(Media::parse(name).is_some(), "{name}");
    }
    assert_eq!(Media::parse("progress"), None);
}

#[test]
fn live_contexts_are_bounded() {
    let mut slots = Slots::default();
    for id in 0..MAX_INNER_AUDIO_CONTEXTS as u32 {
        slots.take(id).unwrap();
    }
    slots.take(3).unwrap(); // already live
    let e = slots.take(99).unwrap_err();
    assert!(
        e.starts_with("16 InnerAudioContexts are live in this app, the limit"),
        "{e}"
    );
    slots.free(3);
    slots.take(99).unwrap();
    assert_eq!(slots.len(), MAX_INNER_AUDIO_CONTEXTS);
}

#[test]
fn playing_again_after_the_end_reports_only_play() {
    use Media::*;
    let mut e = Events::new();
    e.source_set(0.0);
    e.replay_from_end();
    let steps = run(
        &mut e,
        &[
            (Seeking, false),
            (Play, false),
            (Waiting, false),
            (TimeUpdate, false),
            (Seeked, false),
            (TimeUpdate, false),
        ],
    );
    assert_eq!(steps, vec![Step::Emit("play"), Step::Emit("timeUpdate")]);
    assert_eq!(e.media(Waiting, false), Some(Step::Emit("waiting")));
}

#[test]
fn numbers_read_as_javascript_writes_them() {
    for (n, text) in [
        (0.0, "0"),
        (2.0, "2"),
        (1.5, "1.5"),
        (-1.0, "-1"),
        (0.25, "0.25"),
        (0.1 + 0.2, "0.3"),
        (1e18, "1000000000000000000"),
        (-1e20, "-a number over 1e19"),
        (f64::NAN, "NaN"),
        (f64::NEG_INFINITY, "-Infinity"),
    ] {
        assert_eq!(number_text(n), text, "{n}");
    }
}
