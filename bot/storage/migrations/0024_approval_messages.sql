-- The request messages a request for a second official was sent as, one per approver: when
-- the request is decided (approved, rejected, withdrawn, its held broadcast cancelled) every
-- other approver's message is edited to say so, without its buttons, by whichever process
-- decided it. Rows go once the request is settled and its messages edited.
CREATE TABLE approval_messages (
    approval_id INTEGER NOT NULL REFERENCES approvals (id),
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    PRIMARY KEY (approval_id, chat_id)
);
