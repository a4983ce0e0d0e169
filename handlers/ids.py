"""The action_ids, callback_ids and block_ids that builders put in messages and that
listeners are registered for: one name each, shared by both sides and by the manifest test."""

COMMAND = "/stock"

VALIDATE_TRANSFER = "validate_transfer"
CHANGE_AMOUNT = "change_amount"
SNOOZE = "snooze"
MARK_TRANSFERRED = "mark_transferred"
MARK_SHIPPED = "mark_shipped"
ACTIONS = (VALIDATE_TRANSFER, CHANGE_AMOUNT, SNOOZE, MARK_TRANSFERRED, MARK_SHIPPED)

AMOUNT_VIEW = "transfer_amount"
VIEWS = (AMOUNT_VIEW,)
AMOUNT_BLOCK = "amount"
AMOUNT_INPUT = "amount_input"

EVENTS = ("app_home_opened",)

SNOOZE_DAYS = 3
