use super::*;

const T0: i64 = 1_800_000_000;

fn at(status: Status, escalated: bool) -> WorkOrder {
    WorkOrder {
        status,
        escalated,
        ..WorkOrder::opened(T0)
    }
}

/// Every (status, escalated, action, actor): the status it leads to, or `None`.
#[test]
fn every_pair_is_allowed_or_refused_as_the_table_says() {
    use Action as A;
    use Status::*;
    let actors = [Actor::Buyer, Actor::Seller, Actor::Operator, Actor::System];
    let expected = |status: Status, escalated: bool, action: Action, actor: Actor| {
        let support = actor == Actor::Seller || (actor == Actor::Operator && escalated);
        let customer = actor == Actor::Buyer;
        let operator = actor == Actor::Operator && escalated;
        match (status, action) {
            (PendingAcceptance, A::Accept) if support => Some(Processing),
            (Processing | PendingConfirmation | Paused | AwaitingFeedback, A::Message)
                if support =>
            {
                Some(status)
            }
            (AwaitingFeedback | PendingConfirmation, A::Message) if customer => Some(Processing),
            (PendingAcceptance | Processing | Paused, A::Message) if customer => Some(status),
            (PendingAcceptance | Processing | Paused | AwaitingFeedback, A::Transfer)
                if actor == Actor::Seller =>
            {
                Some(status)
            }
            (PendingAcceptance | Processing | AwaitingFeedback, A::Escalate)
                if actor == Actor::Seller && !escalated =>
            {
                Some(status)
            }
            (Processing, A::AwaitFeedback) if support => Some(AwaitingFeedback),
            (Processing | AwaitingFeedback, A::ConfirmResolved) if support => {
                Some(PendingConfirmation)
            }
            (Processing, A::Pause) if operator => Some(Paused),
            (Paused, A::Resume) if operator => Some(Processing),
            (PendingAcceptance | Processing | Paused | AwaitingFeedback, A::MarkInvalid)
                if operator =>
            {
                Some(Invalid)
            }
            (PendingAcceptance | Processing, A::Urge) if customer => Some(status),
            (PendingAcceptance | Processing | Paused | AwaitingFeedback, A::Cancel) if customer => {
                Some(Cancelled)
            }
            (PendingConfirmation, A::Close) if customer => Some(Completed),
            (Completed | Cancelled | Invalid, A::Delete) if customer => Some(Deleted),
            _ => None,
        }
    };
    let mut allowed = 0;
    for status in Status::ALL {
        for escalated in [false, true] {
            for action in Action::ALL {
                for actor in actors {
                    let got = transition(at(status, escalated), action, actor, T0 + 60)
                        .ok()
                        .map(|w| w.status);
                    let want = expected(status, escalated, action, actor);
                    assert_eq!(
                        got, want,
                        "{status:?} escalated={escalated} {action:?} by {actor:?}"
                    );
                    allowed += usize::from(want.is_some());
                }
            }
        }
    }
    assert_eq!(allowed, 71, "the table's allowed pairs");
}

#[test]
fn the_sla_stands_still_while_waiting_on_the_customer() {
    let hour = 3600;
    let opened = WorkOrder::opened(T0);
    let (acceptance, _) = sla(&opened, T0 + 25 * hour);
    assert!(acceptance.breached() && !acceptance.done);
    let accepted = transition(opened, Action::Accept, Actor::Seller, T0 + 2 * hour).unwrap();
    let (acceptance, resolution) = sla(&accepted, T0 + 3 * hour);
    assert_eq!((acceptance.used, acceptance.done), (2 * hour, true));
    assert_eq!(resolution.due_at(T0 + 3 * hour), Some(T0 + 72 * hour));

    let waiting = transition(
        accepted,
        Action::AwaitFeedback,
        Actor::Seller,
        T0 + 10 * hour,
    )
    .unwrap();
    let (_, paused) = sla(&waiting, T0 + 100 * hour);
    assert_eq!(
        (paused.used, paused.paused, paused.due_at(T0)),
        (10 * hour, true, None)
    );
    assert!(!paused.breached());

    let replied = transition(waiting, Action::Message, Actor::Buyer, T0 + 100 * hour).unwrap();
    assert_eq!(replied.status, Status::Processing);
    let (_, running) = sla(&replied, T0 + 101 * hour);
    assert_eq!((running.used, running.paused), (11 * hour, false));
    assert_eq!(running.due_at(T0 + 101 * hour), Some(T0 + 162 * hour));

    let resolved = transition(
        replied,
        Action::ConfirmResolved,
        Actor::Seller,
        T0 + 105 * hour,
    )
    .unwrap();
    let (_, done) = sla(&resolved, T0 + 500 * hour);
    assert_eq!((done.used, done.done), (15 * hour, true));
    let closed = transition(resolved, Action::Close, Actor::Buyer, T0 + 200 * hour).unwrap();
    let (_, ended) = sla(&closed, T0 + 900 * hour);
    assert_eq!(
        (ended.used, closed.ended_at),
        (15 * hour, Some(T0 + 200 * hour))
    );
}

#[test]
fn urges_wait_an_hour_and_escalation_happens_once() {
    let open = WorkOrder::opened(T0);
    let urged = transition(open, Action::Urge, Actor::Buyer, T0 + 10).unwrap();
    let again = transition(urged, Action::Urge, Actor::Buyer, T0 + 10 + URGE_EVERY - 1);
    assert!(again
        .unwrap_err()
        .to_string()
        .ends_with("less than an hour ago"));
    assert!(transition(urged, Action::Urge, Actor::Buyer, T0 + 10 + URGE_EVERY).is_ok());

    let operator = transition(open, Action::MarkInvalid, Actor::Operator, T0);
    assert!(operator
        .unwrap_err()
        .to_string()
        .ends_with("once the seller escalates it"));
    let escalated = transition(open, Action::Escalate, Actor::Seller, T0).unwrap();
    assert!(escalated.escalated);
    assert!(transition(escalated, Action::Escalate, Actor::Seller, T0).is_err());
    let invalid = transition(escalated, Action::MarkInvalid, Actor::Operator, T0 + 5).unwrap();
    assert_eq!(
        (invalid.status.code(), invalid.ended_at),
        (12, Some(T0 + 5))
    );
}
