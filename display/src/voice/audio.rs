//! Sound as samples: mono 16-bit PCM at one rate, read from and written to
//! WAV files, trimmed, resampled, joined; and the chime that precedes each
//! call, synthesised here so it needs no file.

use std::f32::consts::TAU;
use std::io::{Read, Seek, Write};
use std::time::Duration;

/// The rate every announcement is assembled at (espeak-ng's own rate).
pub const RATE: u32 = 22_050;

/// Mono 16-bit samples at `rate` per second.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audio {
    /// Samples per second.
    pub rate: u32,
    /// The samples.
    pub samples: Vec<i16>,
}

/// A WAV file the display cannot use.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct WavError(String);

impl Audio {
    /// No sound yet, at `rate`.
    pub fn empty(rate: u32) -> Self {
        Self {
            rate,
            samples: Vec::new(),
        }
    }

    /// Silence as long as `length`.
    pub fn silence(rate: u32, length: Duration) -> Self {
        Self {
            rate,
            samples: vec![0; samples_in(rate, length)],
        }
    }

    /// How long it plays.
    pub fn duration(&self) -> Duration {
        Duration::from_secs_f64(self.samples.len() as f64 / f64::from(self.rate.max(1)))
    }

    /// The loudest sample's magnitude.
    pub fn peak(&self) -> u16 {
        self.samples
            .iter()
            .map(|s| s.unsigned_abs())
            .max()
            .unwrap_or(0)
    }

    /// Root mean square of the samples, 0 for silence.
    pub fn rms(&self) -> f64 {
        if self.samples.is_empty() {
            return 0.0;
        }
        let sum: f64 = self.samples.iter().map(|&s| f64::from(s).powi(2)).sum();
        (sum / self.samples.len() as f64).sqrt()
    }

    /// Appends `other` (resampled to this rate if it differs).
    pub fn push(&mut self, other: &Audio) {
        if other.rate == self.rate {
            self.samples.extend_from_slice(&other.samples);
        } else {
            self.samples
                .extend_from_slice(&other.resampled(self.rate).samples);
        }
    }

    /// Appends silence as long as `length`.
    pub fn pause(&mut self, length: Duration) {
        let n = samples_in(self.rate, length);
        self.samples.resize(self.samples.len() + n, 0);
    }

    /// The same sound at `rate` (linear interpolation: speech, not music).
    pub fn resampled(&self, rate: u32) -> Audio {
        if rate == self.rate || self.samples.is_empty() {
            return Audio {
                rate,
                samples: self.samples.clone(),
            };
        }
        let step = f64::from(self.rate) / f64::from(rate);
        let n = (self.samples.len() as f64 / step).floor() as usize;
        let last = self.samples.len() - 1;
        let samples = (0..n)
            .map(|i| {
                let at = i as f64 * step;
                let j = (at.floor() as usize).min(last);
                let k = (j + 1).min(last);
                let t = at - j as f64;
                let (a, b) = (f64::from(self.samples[j]), f64::from(self.samples[k]));
                (a + (b - a) * t).round() as i16
            })
            .collect();
        Audio { rate, samples }
    }

    /// Without the quiet at either end (below `threshold`), keeping
    /// `margin` of it so words do not start or stop abruptly.
    pub fn trimmed(&self, threshold: u16, margin: Duration) -> Audio {
        let loud = |s: &i16| s.unsigned_abs() >= threshold;
        let Some(first) = self.samples.iter().position(loud) else {
            return Audio::empty(self.rate);
        };
        let last = self.samples.iter().rposition(loud).unwrap_or(first);
        let keep = samples_in(self.rate, margin);
        let start = first.saturating_sub(keep);
        let end = (last + 1 + keep).min(self.samples.len());
        Audio {
            rate: self.rate,
            samples: self.samples[start..end].to_vec(),
        }
    }

    /// Scaled so its loudest sample is `peak`: clips from different
    /// sources sound equally loud. Silence stays silence.
    pub fn normalised(&self, peak: u16) -> Audio {
        let loudest = self.peak();
        if loudest == 0 {
            return self.clone();
        }
        let gain = f32::from(peak) / f32::from(loudest);
        Audio {
            rate: self.rate,
            samples: self
                .samples
                .iter()
                .map(|&s| (f32::from(s) * gain).round().clamp(-32768.0, 32767.0) as i16)
                .collect(),
        }
    }

    /// Reads a WAV file: PCM of 8 to 32 bits or 32-bit float, any rate, mono
    /// or the first channel of several.
    pub fn read_wav(reader: impl Read) -> Result<Audio, WavError> {
        let mut wav = hound::WavReader::new(reader).map_err(|e| WavError(e.to_string()))?;
        let spec = wav.spec();
        let channels = usize::from(spec.channels.max(1));
        let samples: Result<Vec<i16>, hound::Error> = match spec.sample_format {
            hound::SampleFormat::Int => {
                let shift = i32::from(spec.bits_per_sample) - 16;
                wav.samples::<i32>()
                    .step_by(channels)
                    .map(|s| {
                        s.map(|s| {
                            if shift >= 0 {
                                (s >> shift) as i16
                            } else {
                                (s << -shift) as i16
                            }
                        })
                    })
                    .collect()
            }
            hound::SampleFormat::Float => wav
                .samples::<f32>()
                .step_by(channels)
                .map(|s| s.map(|s| (s.clamp(-1.0, 1.0) * 32767.0) as i16))
                .collect(),
        };
        Ok(Audio {
            rate: spec.sample_rate,
            samples: samples.map_err(|e| WavError(e.to_string()))?,
        })
    }

    /// Writes it as a 16-bit mono WAV file.
    pub fn write_wav(&self, writer: impl Write + Seek) -> Result<(), WavError> {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: self.rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut wav = hound::WavWriter::new(writer, spec).map_err(|e| WavError(e.to_string()))?;
        for &s in &self.samples {
            wav.write_sample(s).map_err(|e| WavError(e.to_string()))?;
        }
        wav.finalize().map_err(|e| WavError(e.to_string()))
    }

    /// Its WAV file's bytes.
    pub fn wav_bytes(&self) -> Vec<u8> {
        let mut bytes = std::io::Cursor::new(Vec::new());
        self.write_wav(&mut bytes)
            .expect("writing a WAV to memory cannot fail");
        bytes.into_inner()
    }
}

fn samples_in(rate: u32, length: Duration) -> usize {
    (length.as_secs_f64() * f64::from(rate)).round() as usize
}

/// Two bell tones, high then low ("ding-dong"), each ringing out: the
/// sound that makes the hall look up before a call.
pub fn chime(rate: u32) -> Audio {
    let mut audio = Audio::empty(rate);
    for (pitch, length) in [(659.25_f32, 0.55_f32), (523.25, 0.9)] {
        let n = (length * rate as f32) as usize;
        audio.samples.extend((0..n).map(|i| {
            let t = i as f32 / rate as f32;
            // A soft start, then an exponential ring-out.
            let envelope = (t / 0.01).min(1.0) * (-t * 4.0).exp();
            let tone = (TAU * pitch * t).sin()
                + 0.35 * (TAU * 2.0 * pitch * t).sin()
                + 0.12 * (TAU * 3.0 * pitch * t).sin();
            (envelope * tone / 1.47 * 0.6 * 32767.0) as i16
        }));
    }
    audio
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(rate: u32, length: f32) -> Audio {
        let n = (length * rate as f32) as usize;
        Audio {
            rate,
            samples: (0..n)
                .map(|i| ((TAU * 440.0 * i as f32 / rate as f32).sin() * 10_000.0) as i16)
                .collect(),
        }
    }

    // A clip survives the trip through a WAV file sample for sample.
    #[test]
    fn wav_round_trip() {
        let audio = tone(RATE, 0.2);
        let back = Audio::read_wav(std::io::Cursor::new(audio.wav_bytes())).unwrap();
        assert_eq!(back, audio);
        assert!(Audio::read_wav(&b"RIFF...."[..]).is_err());
    }

    // A clip recorded at another rate keeps its length when resampled.
    #[test]
    fn resampling_keeps_the_duration() {
        let audio = tone(44_100, 0.5);
        let down = audio.resampled(RATE);
        assert_eq!(down.rate, RATE);
        let diff = (down.duration().as_secs_f64() - 0.5).abs();
        assert!(diff < 0.001, "{:?}", down.duration());
        assert!(down.peak() > 9_000);
    }

    // Trimming removes the quiet ends and nothing of the sound.
    #[test]
    fn trimming_keeps_the_sound_and_a_margin() {
        let mut audio = Audio::silence(RATE, Duration::from_millis(300));
        audio.push(&tone(RATE, 0.2));
        audio.pause(Duration::from_millis(400));
        let trimmed = audio.trimmed(500, Duration::from_millis(10));
        let ms = trimmed.duration().as_millis();
        assert!((205..=225).contains(&ms), "{ms} ms");
        assert!(
            Audio::silence(RATE, Duration::from_secs(1))
                .trimmed(500, Duration::ZERO)
                .samples
                .is_empty()
        );
    }

    // The chime is audible, about 1.5 s long, and ends quietly.
    #[test]
    fn the_chime_rings_and_fades() {
        let chime = chime(RATE);
        let secs = chime.duration().as_secs_f64();
        assert!((1.4..1.5).contains(&secs), "{secs}");
        assert!(chime.peak() > 15_000, "{}", chime.peak());
        let tail = &chime.samples[chime.samples.len() - 200..];
        assert!(tail.iter().all(|s| s.unsigned_abs() < 1_500));
    }
}
