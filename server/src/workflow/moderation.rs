//! Moderation: approve, edit, reject or mark "à vérifier", on the version the moderator saw.

use super::events::{DomainEvent, Moderation};
use super::state::Workshop;
use super::*;
use atelier_proto::model::Phase;

/// Applies a moderation decision. A decision on a stale version is rejected, so two
/// moderators never overwrite each other unknowingly. Rejecting a secret clears its votes.
///
/// Moderation stays open after the workshop closes: checking opening hours or a season
/// ("à vérifier") often happens the next day, before the exports.
pub fn moderate(workshop: &Workshop, secret_id: &SecretId, version: u32, decision: Moderation, now_ms: i64) -> Result<Decision, ProtoError> {
    let secret = require_secret(workshop, secret_id)?;
    if secret.version != version {
        return Err(error(ErrorCode::StaleVersion).with_detail(format!("{secret_id} is at version {}", secret.version)));
    }
    let rejects = matches!(decision, Moderation::Reject { .. });
    let mut events = vec![DomainEvent::SecretModerated { id: secret_id.clone(), decision, at_ms: now_ms }];
    let voting = workshop.phase == Phase::Voting && Some(secret.round) == workshop.round_index();
    if rejects && voting {
        if let Some(round) = workshop.current_round() {
            for (voter, voted) in &round.votes {
                if voted == secret_id {
                    events.push(DomainEvent::VoteCleared { participant: voter.clone() });
                }
            }
        }
    }
    Ok(Decision { events, result: serde_json::json!({ "version": version + 1 }) })
}
