//! Which waiting ticket a counter calls next: a pure function of the heads
//! of the counter's queues and its recent calls, so it can be tested alone.
//!
//! The rule, in order:
//! 1. Priority tickets go first, but at most `priority_run` of them in a row
//!    while ordinary tickets wait; then at least `normal_run` ordinary calls.
//! 2. Among the tickets still in play, the counter's selection: the oldest
//!    of any service, the first service in its order, or services sharing
//!    calls by weight.
//! 3. Ties go to the oldest place in time, then the lowest ticket id.

use layso_protocol::{Selection, ServiceId, TicketId};

/// The head of one of the counter's waiting lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// The ticket.
    pub ticket: TicketId,
    /// Its service.
    pub service: ServiceId,
    /// Whether it is a priority ticket.
    pub priority: bool,
    /// Its place in time (milliseconds).
    pub queue_at: i64,
}

/// A service as the counter serves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CounterService {
    /// The service.
    pub service: ServiceId,
    /// Its place in the counter's order (lower first).
    pub position: u32,
    /// Its share of calls under [`Selection::Weighted`] (at least 1).
    pub weight: u32,
}

/// A call the counter made before, newest first in the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PastCall {
    /// The called ticket's service.
    pub service: ServiceId,
    /// Whether it was a priority ticket.
    pub priority: bool,
}

/// The office's and counter's settings for the choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// How the counter chooses among services.
    pub selection: Selection,
    /// At most this many priority calls in a row while ordinary tickets wait.
    pub priority_run: u32,
    /// Then at least this many ordinary calls (0: priority always first).
    pub normal_run: u32,
}

/// Picks the ticket to call, or `None` when nobody waits.
///
/// `candidates` holds, for each of the counter's services, at most the
/// oldest priority and the oldest ordinary waiting ticket. `history` holds
/// the counter's last calls, newest first: at least `priority_run +
/// normal_run` and the sum of the weights, when there were that many (the
/// database layer reads exactly that many, at most 64).
pub fn choose(
    rules: &Rules,
    services: &[CounterService],
    candidates: &[Candidate],
    history: &[PastCall],
) -> Option<Candidate> {
    let served = |c: &&Candidate| services.iter().any(|s| s.service == c.service);
    let priority: Vec<Candidate> = candidates
        .iter()
        .filter(served)
        .filter(|c| c.priority)
        .copied()
        .collect();
    let normal: Vec<Candidate> = candidates
        .iter()
        .filter(served)
        .filter(|c| !c.priority)
        .copied()
        .collect();
    let pool = if !priority.is_empty() && (normal.is_empty() || priority_allowed(rules, history)) {
        priority
    } else {
        normal
    };
    match rules.selection {
        Selection::Oldest => pool.into_iter().min_by_key(|c| (c.queue_at, c.ticket)),
        Selection::Order => pool
            .into_iter()
            .min_by_key(|c| (position(services, c.service), c.queue_at, c.ticket)),
        Selection::Weighted => {
            // Look at the last (sum of weights - 1) calls: in a steady cycle
            // exactly one service has had fewer calls than its weight there,
            // and it is the one due. Services under their weight go first,
            // then the lowest calls/weight, then service order.
            let total: u32 = services.iter().map(|s| s.weight.max(1)).sum();
            let window = usize::try_from(total.saturating_sub(1)).unwrap_or(usize::MAX);
            let recent = &history[..history.len().min(window)];
            let calls =
                |c: &Candidate| recent.iter().filter(|p| p.service == c.service).count() as u64;
            pool.into_iter().min_by(|a, b| {
                let (ca, wa) = (calls(a), u64::from(weight(services, a.service)));
                let (cb, wb) = (calls(b), u64::from(weight(services, b.service)));
                (ca >= wa)
                    .cmp(&(cb >= wb))
                    .then((ca * wb).cmp(&(cb * wa)))
                    .then(position(services, a.service).cmp(&position(services, b.service)))
                    .then((a.queue_at, a.ticket).cmp(&(b.queue_at, b.ticket)))
            })
        }
    }
}

/// The first `limit` of `waiting` in the order this counter's call-next
/// would take them if nobody else called: [`choose`] again and again, each
/// pick added to the history. `waiting` is every waiting ticket of the
/// counter's services, in any order; `history` its last calls, newest
/// first, as for [`choose`].
pub fn order(
    rules: &Rules,
    services: &[CounterService],
    waiting: &[Candidate],
    history: &[PastCall],
    limit: usize,
) -> Vec<Candidate> {
    use std::collections::{BTreeMap, VecDeque};
    // One line per service and class, oldest first: each pick is a head.
    let mut lines: BTreeMap<(ServiceId, bool), VecDeque<Candidate>> = BTreeMap::new();
    let mut sorted = waiting.to_vec();
    sorted.sort_by_key(|c| (c.queue_at, c.ticket));
    for c in sorted {
        lines
            .entry((c.service, c.priority))
            .or_default()
            .push_back(c);
    }
    let mut history: VecDeque<PastCall> = history.iter().copied().collect();
    let mut taken = Vec::new();
    while taken.len() < limit {
        let heads: Vec<Candidate> = lines.values().filter_map(|l| l.front().copied()).collect();
        let Some(next) = choose(rules, services, &heads, history.make_contiguous()) else {
            break;
        };
        if let Some(line) = lines.get_mut(&(next.service, next.priority)) {
            line.pop_front();
        }
        history.push_front(PastCall {
            service: next.service,
            priority: next.priority,
        });
        // The policy never looks further back than its own window.
        history.truncate(64);
        taken.push(next);
    }
    taken
}

/// Whether the ratio lets a priority ticket go now, given the counter's
/// calls newest first: a run of fewer than `priority_run` priority calls may
/// continue; after a priority run, `normal_run` ordinary calls must follow.
pub fn priority_allowed(rules: &Rules, history: &[PastCall]) -> bool {
    if rules.normal_run == 0 {
        return true;
    }
    let normals = history.iter().take_while(|c| !c.priority).count();
    if normals == 0 {
        let run = history.iter().take_while(|c| c.priority).count();
        return run < rules.priority_run as usize;
    }
    // Ordinary calls since the last priority one: enough of them, or no
    // priority call before them at all, and priority may go again.
    normals >= rules.normal_run as usize || normals == history.len()
}

fn position(services: &[CounterService], service: ServiceId) -> u32 {
    services
        .iter()
        .find(|s| s.service == service)
        .map_or(u32::MAX, |s| s.position)
}

fn weight(services: &[CounterService], service: ServiceId) -> u32 {
    services
        .iter()
        .find(|s| s.service == service)
        .map_or(1, |s| s.weight.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: ServiceId = ServiceId(1);
    const B: ServiceId = ServiceId(2);

    fn services(list: &[(ServiceId, u32)]) -> Vec<CounterService> {
        list.iter()
            .enumerate()
            .map(|(i, &(service, weight))| CounterService {
                service,
                position: i as u32,
                weight,
            })
            .collect()
    }

    fn cand(ticket: i64, service: ServiceId, priority: bool, queue_at: i64) -> Candidate {
        Candidate {
            ticket: TicketId(ticket),
            service,
            priority,
            queue_at,
        }
    }

    fn rules(selection: Selection) -> Rules {
        Rules {
            selection,
            priority_run: 1,
            normal_run: 2,
        }
    }

    /// A counter calling until its queues are empty, as [`order`] foresees
    /// it; the called ticket ids in order.
    fn drain(rules: &Rules, services: &[CounterService], waiting: Vec<Candidate>) -> Vec<i64> {
        order(rules, services, &waiting, &[], usize::MAX)
            .iter()
            .map(|c| c.ticket.0)
            .collect()
    }

    // The order foreseen is the order call-next takes: each of its picks
    // is what `choose` gives for the heads left and the calls made so far.
    #[test]
    fn order_is_call_next_again_and_again() {
        let r = rules(Selection::Weighted);
        let svc = services(&[(A, 2), (B, 1)]);
        let mut waiting: Vec<Candidate> = (0..12)
            .map(|i| cand(i, if i % 3 == 0 { B } else { A }, i % 5 == 0, 100 - i))
            .collect();
        let foreseen = order(&r, &svc, &waiting, &[], 5);
        assert_eq!(foreseen.len(), 5);
        let mut history = Vec::new();
        for expected in foreseen {
            let heads: Vec<Candidate> = [A, B]
                .iter()
                .flat_map(|s| [true, false].map(|p| (*s, p)))
                .filter_map(|(s, p)| {
                    waiting
                        .iter()
                        .filter(|c| c.service == s && c.priority == p)
                        .min_by_key(|c| (c.queue_at, c.ticket))
                        .copied()
                })
                .collect();
            let next = choose(&r, &svc, &heads, &history).expect("someone waits");
            assert_eq!(next, expected);
            waiting.retain(|c| c.ticket != next.ticket);
            history.insert(
                0,
                PastCall {
                    service: next.service,
                    priority: next.priority,
                },
            );
        }
    }

    // Nobody waiting: nothing to call.
    #[test]
    fn empty_queue_calls_nothing() {
        assert_eq!(
            choose(&rules(Selection::Oldest), &services(&[(A, 1)]), &[], &[]),
            None
        );
    }

    // The oldest ordinary ticket goes first when no priority waits.
    #[test]
    fn oldest_first_without_priority() {
        let heads = [cand(2, B, false, 5), cand(1, A, false, 9)];
        let got = choose(
            &rules(Selection::Oldest),
            &services(&[(A, 1), (B, 1)]),
            &heads,
            &[],
        );
        assert_eq!(got.unwrap().ticket, TicketId(2));
    }

    // A priority ticket jumps ahead of older ordinary ones.
    #[test]
    fn priority_goes_first() {
        let heads = [cand(1, A, false, 1), cand(2, A, true, 50)];
        let got = choose(&rules(Selection::Oldest), &services(&[(A, 1)]), &heads, &[]);
        assert_eq!(got.unwrap().ticket, TicketId(2));
    }

    // 1 priority per 2 ordinary: P N N P N N, then the rest in order.
    #[test]
    fn ratio_caps_priority_runs() {
        let mut waiting = Vec::new();
        for i in 0..4 {
            waiting.push(cand(100 + i, A, true, i));
        }
        for i in 0..6 {
            waiting.push(cand(200 + i, A, false, i));
        }
        let order = drain(&rules(Selection::Oldest), &services(&[(A, 1)]), waiting);
        assert_eq!(order, [100, 200, 201, 101, 202, 203, 102, 204, 205, 103]);
    }

    // 2 priority per 3 ordinary: P P N N N P P N N N.
    #[test]
    fn ratio_with_longer_runs() {
        let r = Rules {
            selection: Selection::Oldest,
            priority_run: 2,
            normal_run: 3,
        };
        let mut waiting = Vec::new();
        for i in 0..4 {
            waiting.push(cand(100 + i, A, true, i));
        }
        for i in 0..6 {
            waiting.push(cand(200 + i, A, false, i));
        }
        let order = drain(&r, &services(&[(A, 1)]), waiting);
        assert_eq!(order, [100, 101, 200, 201, 202, 102, 103, 203, 204, 205]);
    }

    // With no ordinary ticket waiting, the cap does not hold priority back.
    #[test]
    fn priority_runs_on_when_nobody_else_waits() {
        let waiting = (0..3).map(|i| cand(100 + i, A, true, i)).collect();
        let order = drain(&rules(Selection::Oldest), &services(&[(A, 1)]), waiting);
        assert_eq!(order, [100, 101, 102]);
    }

    // A priority ticket arriving after a few ordinary calls is not held back
    // by calls that were never a priority run.
    #[test]
    fn first_priority_after_ordinary_calls_goes_now() {
        let history = [PastCall {
            service: A,
            priority: false,
        }];
        let heads = [cand(1, A, false, 1), cand(2, A, true, 2)];
        let got = choose(
            &rules(Selection::Oldest),
            &services(&[(A, 1)]),
            &heads,
            &history,
        );
        assert_eq!(got.unwrap().ticket, TicketId(2));
    }

    // normal_run 0 means priority always first.
    #[test]
    fn zero_normal_run_means_strict_priority() {
        let r = Rules {
            selection: Selection::Oldest,
            priority_run: 1,
            normal_run: 0,
        };
        let waiting = vec![
            cand(1, A, false, 0),
            cand(2, A, true, 5),
            cand(3, A, true, 6),
        ];
        assert_eq!(drain(&r, &services(&[(A, 1)]), waiting), [2, 3, 1]);
    }

    // Order selection empties the first service before the second.
    #[test]
    fn service_order() {
        let waiting = vec![
            cand(1, B, false, 0),
            cand(2, A, false, 10),
            cand(3, A, false, 11),
        ];
        let order = drain(
            &rules(Selection::Order),
            &services(&[(A, 1), (B, 1)]),
            waiting,
        );
        assert_eq!(order, [2, 3, 1]);
    }

    // Weights 2:1 give A two calls for each of B's.
    #[test]
    fn weighted_shares() {
        let mut waiting = Vec::new();
        for i in 0..6 {
            waiting.push(cand(100 + i, A, false, 100 + i));
            waiting.push(cand(200 + i, B, false, i));
        }
        let order = drain(
            &rules(Selection::Weighted),
            &services(&[(A, 2), (B, 1)]),
            waiting,
        );
        assert_eq!(&order[..9], [100, 200, 101, 102, 201, 103, 104, 202, 105]);
        // Every three calls in a row hold two of A and one of B.
        for window in order[..9].windows(3) {
            assert_eq!(window.iter().filter(|t| **t < 200).count(), 2, "{window:?}");
        }
        assert_eq!(order.len(), 12);
    }

    // Equal places in time fall back to the lower ticket id.
    #[test]
    fn ties_go_to_lower_id() {
        let heads = [cand(7, B, false, 5), cand(3, A, false, 5)];
        let got = choose(
            &rules(Selection::Oldest),
            &services(&[(A, 1), (B, 1)]),
            &heads,
            &[],
        );
        assert_eq!(got.unwrap().ticket, TicketId(3));
        let got = choose(
            &rules(Selection::Weighted),
            &services(&[(B, 1), (A, 1)]),
            &heads,
            &[],
        );
        assert_eq!(
            got.unwrap().ticket,
            TicketId(7),
            "weighted ties go to service order first"
        );
    }

    // A head from a service the counter does not serve is never called.
    #[test]
    fn ignores_services_not_served() {
        let heads = [cand(1, B, false, 0)];
        assert_eq!(
            choose(&rules(Selection::Oldest), &services(&[(A, 1)]), &heads, &[]),
            None
        );
    }
}
