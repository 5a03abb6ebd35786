//! Playing through the system's player: the announcement reaches it as a
//! WAV file, whole; its failures are reported; and ALSA's real `aplay`
//! accepts what the display hands it.

use layso_display::voice::audio::{Audio, RATE, chime};
use layso_display::voice::speaker::{Speaker, SpeakerError, SystemSpeaker};
use std::os::unix::fs::PermissionsExt;

/// A player that keeps a copy of what it is given, and its arguments.
fn copying_player(dir: &std::path::Path) -> std::path::PathBuf {
    let script = dir.join("player");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nfor last; do :; done\necho \"$@\" > {0}/args\ncp \"$last\" {0}/heard.wav\n",
            dir.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

// The player gets the configured arguments, then a WAV file holding the
// announcement sample for sample.
#[test]
fn the_player_gets_the_whole_announcement() {
    let dir = tempfile::tempdir().unwrap();
    let player = copying_player(dir.path());
    let mut speaker =
        SystemSpeaker::command(&format!("{} -D plughw:1,0", player.display())).unwrap();
    let audio = chime(RATE);
    speaker.play(&audio).unwrap();
    let heard =
        Audio::read_wav(std::fs::File::open(dir.path().join("heard.wav")).unwrap()).unwrap();
    assert_eq!(heard, audio);
    let args = std::fs::read_to_string(dir.path().join("args")).unwrap();
    assert!(args.starts_with("-D plughw:1,0 /"), "{args}");
    assert!(SystemSpeaker::command("  ").is_none());
}

// A player that fails, or is not there, is an error that says which and why.
#[test]
fn a_failing_player_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("broken-player");
    std::fs::write(&script, "#!/bin/sh\necho no sound card >&2\nexit 1\n").unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut failing = SystemSpeaker::command(script.to_str().unwrap()).unwrap();
    match failing.play(&chime(RATE)) {
        Err(SpeakerError::Failed { program, message }) => {
            assert_eq!(program, script.display().to_string());
            assert!(message.contains("no sound card"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let mut missing = SystemSpeaker::command("/nonexistent/aplay").unwrap();
    assert!(missing.play(&chime(RATE)).is_err());
}

// ALSA's aplay (on its null device: no sound card here) reads the WAV
// files the display writes.
#[test]
fn aplay_accepts_the_announcement() {
    let mut aplay = SystemSpeaker::command("aplay -q -D null").unwrap();
    aplay
        .play(&chime(RATE))
        .expect("aplay plays it (scripts/test installs alsa-utils)");
}
