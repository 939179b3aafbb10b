//! `GET /sandbox/time` (docs/protocol.md §5e): the sandbox's clock, which `my.getServerTime`
//! answers from. Real HTTP on an ephemeral port.

use superapp_sandbox::domain::clock;

use crate::common::spawn_app_and_state;

#[tokio::test]
async fn the_time_is_the_sandbox_clock_in_unix_milliseconds() {
    let (app, state) = spawn_app_and_state(|_| {}).await;
    let before = clock::now_ms();
    let (status, body) = app.get_json("/sandbox/time").await;
    let after = clock::now_ms();
    assert_eq!(status, 200, "{body}");
    let time = body["time"].as_i64().expect("time is an integer");
    assert!(
        before <= time && time <= after,
        "{before} <= {time} <= {after}"
    );
    assert_eq!(body.as_object().map(|o| o.len()), Some(1), "{body}");

    // The sandbox's clock, not the system's: moved forward (as tests move it), the answer moves.
    state.clock.advance_ms(3_600_000);
    let (_, body) = app.get_json("/sandbox/time").await;
    let moved = body["time"].as_i64().expect("time is an integer");
    assert!(
        moved >= after + 3_600_000,
        "{moved} moved by an hour from {after}"
    );
}
