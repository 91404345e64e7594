//! What the sequencer does with the voice's reports: ready (with its voices), warm, out (said
//! once per outage), a sentence started, finished or failed.

use std::time::Instant;

use super::{Effect, Progress, Sequencer, VoiceReport, ms};
use crate::announcement::Step;

impl Sequencer {
    pub(super) fn voice_report(
        &mut self,
        report: VoiceReport,
        now: Instant,
        out: &mut Vec<Effect>,
    ) {
        match report {
            VoiceReport::Ready { voices } => {
                if self.speech_down.take().is_some() {
                    out.push(Effect::Tell(Progress::SpeechAvailable));
                }
                out.push(Effect::Tell(Progress::Voices(
                    voices.iter().map(|(l, v)| (l.clone(), v.clone())).collect(),
                )));
                self.voices = Some(voices.into_keys().collect());
            }
            VoiceReport::Warm => out.push(Effect::Tell(Progress::VoicesLoaded)),
            VoiceReport::Unavailable { reason } => {
                if self.speech_down.is_none() {
                    Self::note(
                        format!(
                            "speech is unavailable ({reason}); calls are announced with the \
                             chime only, and herald keeps trying to reach speech-dispatcher (at \
                             least every {} s)",
                            self.config.speech_retry.as_secs()
                        ),
                        out,
                    );
                    out.push(Effect::Tell(Progress::SpeechUnavailable {
                        reason: reason.clone(),
                    }));
                }
                self.speech_down = Some(reason);
            }
            VoiceReport::Started { id } => {
                if !self.waiting_for_speech(id) {
                    return;
                }
                if let Some(current) = self.current.as_ref() {
                    let text = match current.announcement.steps.get(current.step) {
                        Some(Step::Speak { text, .. }) => text.clone(),
                        _ => String::new(),
                    };
                    out.push(Effect::Tell(Progress::SpeechStarted {
                        ticket: current.announcement.ticket.clone(),
                        lang: current.lang.clone(),
                        text,
                        after_call_ms: ms(now.saturating_duration_since(current.received)),
                    }));
                }
            }
            VoiceReport::Finished { id } | VoiceReport::Failed { id, .. } => {
                if !self.waiting_for_speech(id) {
                    return;
                }
                let failure = match &report {
                    VoiceReport::Failed { reason, .. } => Some(reason.clone()),
                    _ => None,
                };
                if let Some(current) = self.current.as_ref() {
                    out.push(Effect::Tell(Progress::SpeechEnded {
                        ticket: current.announcement.ticket.clone(),
                        lang: current.lang.clone(),
                        spoken: failure.is_none(),
                        failure,
                        after_call_ms: ms(now.saturating_duration_since(current.received)),
                    }));
                }
                self.advance(now, out);
            }
        }
    }
}
