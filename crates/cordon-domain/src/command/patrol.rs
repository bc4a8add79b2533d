//! Video patrols: the camera channels of each checkpoint (a name, the stream's address, a kind;
//! Cordon keeps the address for the video client and never fetches the stream), patrol plans
//! (the channels a patroller looks at, in order), and rounds: each channel observed once, in
//! order or with a problem and a note, a problem turned into a directive to its checkpoint or a
//! report in the command's inbox in one action; the rounds and their findings counted.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::directive::text;
use crate::checkpoint::{string_enum, CheckpointCode};
use crate::FieldError;

/// Most channels in one plan.
pub const MAX_PLAN_CHANNELS: usize = 500;
/// Longest stream address.
pub const MAX_STREAM: usize = 500;

string_enum! {
    /// What a camera is.
    ChannelKind {
        Fixed = "fixed",
        Dome = "dome",
        Plate = "plate",
        Thermal = "thermal",
        BodyWorn = "body_worn",
        Drone = "drone",
    }
}

string_enum! {
    /// What a patroller saw on a channel: in order, a problem (a note says what), or no
    /// picture.
    Sight {
        Ok = "ok",
        Problem = "problem",
        NoSignal = "no_signal",
    }
}

/// The schemes a stream address may have: RTSP and RTMP streams, an HTTP(S) player or HLS
/// address, or a GB/T 28181 device (`gb28181:` and its 20-digit code).
const SCHEMES: [&str; 6] = [
    "rtsp://", "rtsps://", "rtmp://", "http://", "https://", "gb28181:",
];

/// A stream's address, checked for its form only (it is never fetched).
pub fn stream_address(s: &str) -> Result<String, FieldError> {
    let t = s.trim();
    let bad = |m: &str| Err(FieldError::new("invalid_stream", "stream", m));
    if t.is_empty() || t.len() > MAX_STREAM {
        return bad("a stream address of 1 to 500 characters");
    }
    if t.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("a stream address has no spaces");
    }
    let lower = t.to_ascii_lowercase();
    let Some(scheme) = SCHEMES.iter().find(|s| lower.starts_with(**s)) else {
        return bad("rtsp://, rtmp://, http(s):// or gb28181: followed by the device's 20 digits");
    };
    let rest = &t[scheme.len()..];
    if *scheme == "gb28181:" {
        if rest.len() != 20 || !rest.bytes().all(|b| b.is_ascii_digit()) {
            return bad("a GB/T 28181 device code has 20 digits");
        }
    } else if rest.is_empty() || rest.starts_with('/') {
        return bad("the address names a host after the scheme");
    }
    Ok(t.to_owned())
}

/// A channel as added.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelRequest {
    pub checkpoint: String,
    /// 1 to 60 characters, such as `2号道口 北向`.
    pub name: String,
    pub stream: String,
    pub kind: ChannelKind,
}

/// A checked channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelDraft {
    pub checkpoint: CheckpointCode,
    pub name: String,
    pub stream: String,
    pub kind: ChannelKind,
}

impl ChannelRequest {
    pub fn parse(&self) -> Result<ChannelDraft, Vec<FieldError>> {
        let checkpoint = CheckpointCode::parse(&self.checkpoint).map_err(|e| e.under("checkpoint"));
        let name = text(&self.name, "name", 60, false);
        let stream = stream_address(&self.stream);
        match (checkpoint, name, stream) {
            (Ok(checkpoint), Ok(name), Ok(stream)) => Ok(ChannelDraft {
                checkpoint,
                name,
                stream,
                kind: self.kind,
            }),
            (c, n, s) => Err([c.err(), n.err(), s.err()].into_iter().flatten().collect()),
        }
    }
}

/// A channel as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Channel {
    pub id: i64,
    pub checkpoint: CheckpointCode,
    pub checkpoint_name: String,
    pub name: String,
    pub stream: String,
    pub kind: ChannelKind,
    pub added_by: String,
    /// Taken out of use (it stays in the rounds that saw it).
    pub retired: bool,
}

/// A patrol plan as made.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanRequest {
    /// 1 to 60 characters, such as `夜间巡查 · 石家庄`.
    pub name: String,
    /// The channels in the order they are looked at.
    pub channels: Vec<i64>,
}

impl PlanRequest {
    /// The name and the channels (without repeats, in their first order).
    pub fn parse(&self) -> Result<(String, Vec<i64>), FieldError> {
        let name = text(&self.name, "name", 60, false)?;
        let mut channels: Vec<i64> = Vec::with_capacity(self.channels.len());
        for c in &self.channels {
            if !channels.contains(c) {
                channels.push(*c);
            }
        }
        if channels.is_empty() || channels.len() > MAX_PLAN_CHANNELS {
            return Err(FieldError::new(
                "out_of_range",
                "channels",
                format!("a plan has 1 to {MAX_PLAN_CHANNELS} channels"),
            ));
        }
        Ok((name, channels))
    }
}

/// A patrol plan as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Plan {
    pub id: i64,
    pub name: String,
    pub channels: Vec<i64>,
    pub created_by: String,
    pub created_at: DateTime<FixedOffset>,
}

/// One observation of a round as recorded.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObservationRequest {
    pub channel: i64,
    pub sight: Sight,
    /// Required with a problem: what is wrong (at most 500 characters).
    #[serde(default)]
    pub remark: Option<String>,
}

impl ObservationRequest {
    pub fn parse(&self) -> Result<(i64, Sight, Option<String>), FieldError> {
        let note = match self.remark.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(n) => Some(text(n, "remark", 500, true)?),
        };
        if self.sight == Sight::Problem && note.is_none() {
            return Err(FieldError::new(
                "required",
                "remark",
                "say what the problem is",
            ));
        }
        Ok((self.channel, self.sight, note))
    }
}

/// A channel's place in a round, seen or not yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RoundStop {
    pub channel: Channel,
    pub sight: Option<Sight>,
    pub note: Option<String>,
    pub seen_at: Option<DateTime<FixedOffset>>,
    /// The directive this finding was turned into.
    pub directive: Option<i64>,
    /// The report (in the command's inbox) this finding was turned into.
    pub report: Option<uuid::Uuid>,
}

/// A round of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Round {
    pub id: i64,
    pub plan: i64,
    pub plan_name: String,
    pub started_by: String,
    pub started_at: DateTime<FixedOffset>,
    pub finished_at: Option<DateTime<FixedOffset>>,
    pub channels: i64,
    pub seen: i64,
    /// Problems and channels without a picture.
    pub findings: i64,
    /// The channels in the plan's order (a round's own page only).
    pub stops: Vec<RoundStop>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_addresses_are_checked_for_their_form() {
        for ok in [
            "rtsp://10.1.2.3:554/Streaming/Channels/101",
            "https://video.example/live/cp1.m3u8",
            "gb28181:34020000001320000001",
        ] {
            assert_eq!(stream_address(ok).unwrap(), ok);
        }
        for bad in [
            "",
            "ftp://x",
            "rtsp:///path",
            "gb28181:123",
            "rtsp://a b",
            &format!("rtsp://{}", "a".repeat(500)),
        ] {
            assert_eq!(
                stream_address(bad).unwrap_err().code,
                "invalid_stream",
                "{bad}"
            );
        }
    }

    #[test]
    fn a_problem_needs_a_note_and_a_plan_its_channels() {
        let o = |sight, note: Option<&str>| ObservationRequest {
            channel: 1,
            sight,
            remark: note.map(str::to_owned),
        };
        assert!(o(Sight::Ok, None).parse().is_ok());
        assert_eq!(
            o(Sight::Problem, Some(" ")).parse().unwrap_err().field,
            "remark"
        );
        assert_eq!(
            o(Sight::Problem, Some("排队超过1公里"))
                .parse()
                .unwrap()
                .2
                .as_deref(),
            Some("排队超过1公里")
        );
        let p = PlanRequest {
            name: "夜间巡查".into(),
            channels: vec![3, 1, 3],
        };
        assert_eq!(p.parse().unwrap().1, [3, 1]);
        let empty = PlanRequest {
            name: "x".into(),
            channels: vec![],
        };
        assert_eq!(empty.parse().unwrap_err().field, "channels");
    }
}
