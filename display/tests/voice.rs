//! Announcements from words to samples: the clips a call is made of, in
//! order, with the chime and the pauses, never silent; packs recorded at
//! other rates; the default pack built with espeak-ng; `say`.

use layso_display::voice::audio::{Audio, RATE, chime};
use layso_display::voice::engine::Engine;
use layso_display::voice::pack::{self, Pack};
use layso_display::voice::{AFTER_CHIME, BETWEEN_REPEATS, Piece, Voice, WORD_GAP};
use layso_protocol::speech::{DEFAULT_PHRASE, Dialect, Reading, call_words, number_words};
use std::f32::consts::TAU;
use std::time::Duration;

/// A clip that is easy to find again: a tone of its own pitch and length.
fn tone(i: usize) -> Audio {
    let n = 2000 + 37 * i;
    let pitch = 300.0 + 40.0 * i as f32;
    Audio {
        rate: RATE,
        samples: (0..n)
            .map(|k| ((TAU * pitch * k as f32 / RATE as f32).sin() * 12_000.0) as i16 | 1)
            .collect(),
    }
}

/// A pack of tones for the default phrase's words and some number words,
/// with the phrase's first part as one clip.
fn tone_pack() -> (Pack, Vec<String>) {
    let mut keys: Vec<String> = [
        "xin mời công dân có số thứ tự",
        "đến",
        "quầy",
        "số",
        "một",
        "nghìn",
        "không",
        "trăm",
        "linh",
        "năm",
        "ba",
    ]
    .map(String::from)
    .to_vec();
    keys.extend(["xin", "mời"].map(String::from));
    let mut pack = Pack::default();
    for (i, key) in keys.iter().enumerate() {
        pack.insert(key, tone(i));
    }
    (pack, keys)
}

fn samples(length: Duration) -> usize {
    (length.as_secs_f64() * f64::from(RATE)).round() as usize
}

// A call is the chime, a pause, then the longest clips that fit, in the
// phrase's order with a short gap between them, repeated after a longer
// pause: sample for sample.
#[test]
fn a_call_is_the_chime_then_its_clips_in_order() {
    let (pack, keys) = tone_pack();
    let voice = Voice::new(pack, None);
    let words = call_words(DEFAULT_PHRASE, "1005", "3", Dialect::North, Reading::Number);
    let spoken = voice.announce(&words, 2);
    let expected = [
        "xin mời công dân có số thứ tự",
        "một",
        "nghìn",
        "không",
        "trăm",
        "linh",
        "năm",
        "đến",
        "quầy",
        "số",
        "ba",
    ];
    let plan: Vec<Piece> = expected
        .iter()
        .map(|k| Piece::Clip(k.to_string()))
        .collect();
    assert_eq!(spoken.plan, plan);
    assert!(spoken.missing.is_empty());

    let clip = |key: &str| tone(keys.iter().position(|k| k == key).unwrap());
    let mut want = chime(RATE);
    for repeat in 0..2 {
        want.pause(if repeat == 0 {
            AFTER_CHIME
        } else {
            BETWEEN_REPEATS
        });
        for (i, key) in expected.iter().enumerate() {
            if i > 0 {
                want.pause(WORD_GAP);
            }
            want.push(&clip(key));
        }
    }
    assert_eq!(spoken.audio.samples.len(), want.samples.len());
    assert!(spoken.audio == want, "the samples differ from the plan");
    let phrase: usize = expected
        .iter()
        .map(|k| clip(k).samples.len())
        .sum::<usize>()
        + 10 * samples(WORD_GAP);
    assert_eq!(
        spoken.audio.samples.len(),
        chime(RATE).samples.len() + samples(AFTER_CHIME) + samples(BETWEEN_REPEATS) + 2 * phrase
    );
}

// A word the pack lacks, with no engine, is reported as missing, and the
// call is still heard: the chime and every other word.
#[test]
fn a_missing_word_is_reported_never_silence() {
    let (pack, _) = tone_pack();
    let voice = Voice::new(pack, None);
    let spoken = voice.announce("Xin mời số bảy, đến quầy số ba", 1);
    assert_eq!(spoken.missing, ["bảy"]);
    assert_eq!(
        spoken.plan,
        [
            Piece::Clip("xin".into()),
            Piece::Clip("mời".into()),
            Piece::Clip("số".into()),
            Piece::Missing("bảy".into()),
            Piece::Pause,
            Piece::Clip("đến".into()),
            Piece::Clip("quầy".into()),
            Piece::Clip("số".into()),
            Piece::Clip("ba".into()),
        ]
    );
    assert!(spoken.audio.duration() > chime(RATE).duration() + Duration::from_millis(500));
    // Even with no pack at all, the chime sounds.
    let bare = Voice::new(Pack::default(), None).announce("một", 1);
    assert!(bare.audio.peak() > 10_000);
    assert_eq!(bare.missing, ["một"]);
}

// An office's recorded pack may be at another rate and depth: it is read,
// resampled to the announcement's rate, and used whole.
#[test]
fn a_recorded_pack_at_another_rate_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let recorded = Audio {
        rate: 44_100,
        samples: (0..44_100)
            .map(|k| ((TAU * 220.0 * k as f32 / 44_100.0).sin() * 9_000.0) as i16)
            .collect(),
    };
    std::fs::write(dir.path().join("moi.wav"), recorded.wav_bytes()).unwrap();
    std::fs::write(
        dir.path().join(pack::MANIFEST),
        "name = \"ghi âm\"\n[clips]\n\"Xin mời\" = \"moi.wav\"\n",
    )
    .unwrap();
    let pack = Pack::load(dir.path()).unwrap();
    assert_eq!(pack.name, "ghi âm");
    let clip = pack.clip("xin mời").unwrap();
    assert_eq!(clip.rate, RATE);
    assert!((clip.duration().as_secs_f64() - 1.0).abs() < 0.001);
    // A manifest naming a file that is not there is a clear error.
    std::fs::write(
        dir.path().join(pack::MANIFEST),
        "[clips]\n\"một\" = \"mot.wav\"\n",
    )
    .unwrap();
    let error = Pack::load(dir.path()).unwrap_err().to_string();
    assert!(error.contains("mot.wav"), "{error}");
}

fn espeak() -> Engine {
    let engine = Engine::espeak("vi");
    assert!(
        engine.available(),
        "espeak-ng is needed (apt install espeak-ng; scripts/test installs it)"
    );
    engine
}

// The default pack, built with espeak-ng, says every number to 9999 in both
// variants, the prefix letters and the phrase with its own clips: nothing
// goes to the engine or is missing, and every clip is speech, not silence.
#[test]
fn the_default_pack_says_every_call() {
    let dir = tempfile::tempdir().unwrap();
    let count = pack::build(dir.path(), &espeak()).unwrap();
    assert_eq!(count, pack::vocabulary().len());
    let pack = Pack::load(dir.path()).unwrap();
    for word in pack::vocabulary() {
        let clip = pack
            .clip(&word)
            .unwrap_or_else(|| panic!("no clip for {word}"));
        let ms = clip.duration().as_millis();
        assert!((50..3000).contains(&ms), "{word}: {ms} ms");
        assert!(clip.rms() > 1000.0, "{word} is too quiet: {}", clip.rms());
    }
    let voice = Voice::new(pack, None);
    for n in 0..=9999 {
        for dialect in [Dialect::North, Dialect::South] {
            let plan = voice.plan(&number_words(n, dialect));
            assert!(
                plan.iter().all(|p| matches!(p, Piece::Clip(_))),
                "{n}: {plan:?}"
            );
        }
    }
    let words = call_words(
        DEFAULT_PHRASE,
        "B-1005",
        "12",
        Dialect::North,
        Reading::Number,
    );
    let spoken = voice.announce(&words, 2);
    assert!(spoken.missing.is_empty());
    assert_eq!(
        spoken.plan[0],
        Piece::Clip("xin mời công dân có số thứ tự".into())
    );
    let secs = spoken.audio.duration().as_secs_f64();
    assert!((8.0..30.0).contains(&secs), "{secs} s");
    // Speech all along: no second-long hole after the chime.
    let second = RATE as usize;
    let start = chime(RATE).samples.len();
    for window in spoken.audio.samples[start..].chunks(second) {
        if window.len() == second {
            assert!(window.iter().any(|s| s.unsigned_abs() > 2_000));
        }
    }
}

// What the pack lacks (an office's own phrase) the engine says, once.
#[test]
fn the_engine_says_what_the_pack_lacks() {
    let (pack, _) = tone_pack();
    let voice = Voice::new(pack, Some(espeak()));
    let spoken = voice.announce("Kính chào số ba", 1);
    assert_eq!(
        spoken.plan,
        [
            Piece::Engine("kính chào".into()),
            Piece::Clip("số".into()),
            Piece::Clip("ba".into()),
        ]
    );
    assert!(spoken.missing.is_empty());
    let without = Voice::new(tone_pack().0, None).announce("Kính chào số ba", 1);
    assert!(spoken.audio.duration() > without.audio.duration() + Duration::from_millis(300));
}

// `layso-display say` prints the words (North, South, digit by digit) and,
// muted, writes the announcement it would play.
#[test]
fn say_prints_the_words_and_writes_the_sound() {
    let exe = env!("CARGO_BIN_EXE_layso-display");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(exe)
            .args(["--config", "/nonexistent.toml"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(
        run(&["say", "1005", "3", "--text"]),
        "Xin mời công dân có số thứ tự một nghìn không trăm linh năm đến quầy số ba\n"
    );
    assert_eq!(
        run(&["say", "1005", "3", "--text", "--south"]),
        "Xin mời công dân có số thứ tự một ngàn không trăm lẻ năm đến quầy số ba\n"
    );
    assert_eq!(
        run(&["say", "A007", "10", "--text", "--digits"]),
        "Xin mời công dân có số thứ tự a không không bảy đến quầy số mười\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("call.wav");
    let pack_dir = dir.path().join("pack");
    let out = run(&[
        "--voice-pack",
        pack_dir.to_str().unwrap(),
        "--mute",
        "say",
        "21",
        "4",
        "--wav",
        wav.to_str().unwrap(),
    ]);
    assert!(
        out.starts_with("Xin mời công dân có số thứ tự hai mươi mốt đến quầy số bốn\n"),
        "{out}"
    );
    let audio = Audio::read_wav(std::fs::File::open(&wav).unwrap()).unwrap();
    let secs = audio.duration().as_secs_f64();
    assert!((6.0..25.0).contains(&secs), "{secs} s");
    assert!(audio.rms() > 1000.0);
    // The missing pack was built on the way.
    assert!(pack_dir.join(pack::MANIFEST).exists());
}
