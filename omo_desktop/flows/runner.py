"""Between the flow and the backend: which client call a command is, and where its answer goes.

``execute`` runs on a worker thread (it blocks on the network); ``deliver`` runs on the UI
thread and returns the flow's next commands. Commands that are the app's own business
(``RetryLater``, ``KeepPendingSignUp``, ``ForgetPendingSignUp``, ``LogOut``) are not here.
"""

from __future__ import annotations

from pydantic import BaseModel

from backend_client import schemas
from backend_client.client import OmoClient
from omo_desktop.flows import counter as f

LONG_POLL_SECONDS = 25.0

BackendCommand = (
    f.Search
    | f.SendInvitation
    | f.FollowInvitation
    | f.MarkReceived
    | f.CancelInvitation
    | f.StartBinding
    | f.FollowBinding
    | f.SendBindingSms
    | f.CancelBinding
)


def is_backend(command: f.Command) -> bool:
    return isinstance(command, BackendCommand)


def execute(
    client: OmoClient, command: BackendCommand, wait: float = LONG_POLL_SECONDS
) -> BaseModel:
    match command:
        case f.Search(phone=phone, email=email, name=name):
            return client.search_customers(phone=phone, email=email, name=name)
        case f.SendInvitation(phone=phone, key=key):
            return client.create_invitation(phone, idempotency_key=key)
        case f.FollowInvitation(invitation_id=iid, known_status=known):
            return client.get_invitation(iid, wait=wait, known_status=known)
        case f.MarkReceived(invitation_id=iid):
            return client.invitation_received(iid)
        case f.CancelInvitation(invitation_id=iid):
            return client.cancel_invitation(iid)
        case f.StartBinding(customer_id=cid):
            return client.create_binding(cid)
        case f.FollowBinding(binding_id=bid, known_status=known, known_line_outcome=line):
            return client.get_binding(
                bid, wait=wait, known_status=known, known_line_outcome=line or "none"
            )
        case f.SendBindingSms(binding_id=bid, key=key):
            return client.send_binding_sms(bid, idempotency_key=key)
        case f.CancelBinding(binding_id=bid):
            return client.cancel_binding(bid)
    raise TypeError(f"not a backend command: {command!r}")


def deliver(flow: f.CounterFlow, command: BackendCommand, answer: BaseModel) -> list[f.Command]:
    match command, answer:
        case f.Search(), schemas.CustomerSearchResult():
            return flow.searched(answer)
        case f.SendInvitation(phone=phone, key=key), schemas.Invitation():
            return flow.invitation_sent(answer, key, phone)
        case f.FollowInvitation(), schemas.Invitation():
            return flow.invitation_changed(answer)
        case f.StartBinding(), schemas.Binding():
            return flow.binding_started(answer)
        case f.FollowBinding(), schemas.Binding():
            return flow.binding_changed(answer)
        case f.SendBindingSms(), schemas.Binding():
            return flow.binding_sms_sent(answer)
    # "SMS received" and cancels need nothing more from the flow.
    return []
