"""The engine's sentences (reasons, impacts, actions, warnings, notes) as templates.

The engine writes them in English with `str.format`, so its JSON reads the same in every
language; where a person reads them, bot/i18n.py matches a sentence back to its template
here and shows the translation. `N_` only marks a template for Babel's extraction."""

from __future__ import annotations


def N_(template: str) -> str:
    return template


ZERO_STOCK = N_("{name} has 0 stock with competition - losing buy button")
LOW_STOCK = N_("{name} stock is low ({stock}) with competition")
REGAIN_BUY_BUTTON = N_("Regain buy button on {name} account")
KEEP_BUY_BUTTON = N_("Keep the buy button on {name} account")
ZERO_NO_SPARE = N_("{name} has 0 stock with competition and {why}")
RESTOCK_UNITS = N_(
    "Restock {name} from the supplier: {units} units for {lead} days of lead time and "
    "{cover} days of sales"
)
RESTOCK_NO_DATA = N_("Restock {name} from the supplier: no sales data, so no quantity")
AT_RISK = N_("{name} has only {stock} units with competition - buy button at risk")
RAISE_STOCK = N_("Raise {name} stock to at least {low}")
NOT_LISTED = N_("{name} is not listed")
NONE_EITHER = N_("{name} has none either - both accounts are short")
NEEDS_ITS_OWN = N_(
    "{name} needs its {stock} for its own {cover} days of sales - both accounts are short"
)
BELOW_FLOOR = N_("{name} has only {stock}, below the floor of {kept} - both accounts are short")
AT_FLOOR = N_("{name} has only {stock}, at the floor of {kept} - both accounts are short")
CANNOT_SELL = N_("{name}'s offer cannot sell on eMAG: {why}")
FIX_OFFER = N_(
    "Fix the {name} offer in the eMAG Marketplace interface; no stock is sent to it until "
    "it can sell"
)
OVERDUE = N_("{units} units marked as sent to {name} not seen arriving after {days} days")
CHECK_SHIPMENT = N_("Check the shipment with eMAG (or the warehouse) and the stock")
RANKS_BETTER = N_(
    "{name} ranks better (#{rank} vs #{other_rank}) but has less stock ({stock} vs {other_stock})"
)
WHERE_WON = N_("Put stock where the buy button is won ({name})")
IDLE_STOCK = N_("{source} has no competition and {stock} units; {name} has competition")
USE_IDLE = N_("Use idle {source} stock to defend the buy button on {name}")
NEVER_SENT = N_("Never sent to eMAG - eMAG recommends weekly updates")
LAST_SYNC = N_("Last sync {days} days ago - eMAG recommends weekly updates")
UPDATE_OFFER = N_("Update offer even if nothing changed")
COMPETITION_UNKNOWN = N_("{name}: number_of_offers unknown - competition unknown")
NOT_LISTED_ON = N_("Not listed on {name}")
CATEGORY_RULES = N_("rules of {category}: {rules}")
INACTIVE = N_("the offer is inactive")
END_OF_LIFE = N_("the offer is at end of life")
OFFER_STATUS = N_("offer status {status}")
OFFER_VALIDATION = N_("offer validation status {status}")
DOCUMENTATION = N_("documentation status {status}")
# The competitor watch (bot/engine/competition_watch.py).
BUTTON_LOST = N_("{name} lost the buy button (now {rank}) with {stock} in stock")
BUTTON_LOST_ALONE = N_(
    "{name} lost the buy button (now {rank}) with {stock} in stock and {other} cannot sell either"
)
RANK_NONE = N_("not competing")
RANK_PLACE = N_("#{rank}")
NEW_SELLER = N_("1 new seller on the PNK since the last sync ({competitors} competing now)")
NEW_SELLERS = N_("{count} new sellers on the PNK since the last sync ({competitors} competing now)")
PRICE_GAP = N_("our price {price} lei, best offer {best} lei: {gap} lei ({pct}%) {side}")
GAP_ABOVE = N_("above")
GAP_BELOW = N_("below")
GAP_NONE = N_("our price {price} lei is the best offer")
BEST_UNKNOWN = N_("best price unknown")
OUR_PRICE_UNKNOWN = N_("our price unknown")
CHECK_PRICE = N_("Check the price and the offer against the best one on the PNK")
WATCH_SELLERS = N_("Watch the price: another seller now competes for the buy button")

NO_TRANSFER = N_("{sku} is not listed on {name}; no transfer possible")
STALE = N_("The snapshot is stale (older than {hours} h) - check current stock in eMAG first")
WITHDRAWAL = N_(
    "FBE stock sits in the eMAG warehouse: moving it to MAIN is a physical withdrawal from "
    "the eMAG warehouse."
)
INBOUND = N_(
    "FBE stock sits in the eMAG warehouse: moving MAIN stock there is an inbound shipment to "
    "the eMAG warehouse."
)
API_WRITES_MAIN = N_(
    "Only MAIN stock can be written through the eMAG API; FBE stock changes when eMAG books "
    "the shipment."
)
ALREADY_IN_TRANSIT = N_("{units} units are already in transit to {name}.")
NO_SALES_DATA = N_("No sales data for {name}: the need cannot be judged.")
REVIEW_WARNINGS = N_("Review warnings first")
PROCEED = N_("Proceed")
WILL_LOSE = N_("Will lose buy button")
LOW_STOCK_RISK = N_("Low stock risk")
SAFE = N_("Safe")
LEFT_AT_ZERO = N_("{name} will be left at 0 with competition - will lose buy button")
LEFT_BELOW = N_(
    "{name} will be left with {left} units (below {low}) with competition - buy button at risk"
)
LEFT_UNDER_COVER = N_(
    "{name} will be left with {left} units, less than its own {cover} days of sales ({own})"
)
NO_CHANGE_CANNOT_SELL = N_("No buy-button change (offer cannot sell)")
DESTINATION_CANNOT_SELL = N_(
    "{name}'s offer cannot sell on eMAG ({why}) - fix it before sending stock there"
)
CHANGE_UNKNOWN = N_("Buy-button change unknown (competition not known)")
COMPETITION_UNKNOWN_MOVE = N_("{name}'s competition is unknown - the move may gain no buy button")
WILL_GAIN = N_("Will gain/maintain buy button")
NO_CHANGE_NO_COMPETITION = N_("No buy-button change (no competition)")
NO_COMPETITION_MOVE = N_("{name} has no competition - the move gains no buy button")
HOLDS_COVER = N_(
    "{name} already holds {cover} days of its sales ({stock} units, {transit} in transit) - "
    "the move gains nothing there"
)

# Errors a person is told about (bot/errors.py, validation.py, limits.py), as they read.
SKU_NOT_FOUND = N_("SKU {sku} not found (looked up by SKU, PNK and EAN)")
INSUFFICIENT = N_("insufficient stock on {account}: available {available}, requested {requested}")
BAD_ACCOUNT = N_("{field} must be 'main' or 'fbe', not {value}")
BAD_AMOUNT = N_("amount must be a whole number of units, not {value}")
AMOUNT_RANGE = N_("amount must be between 1 and {most}")
CONTROL_CHARACTER = N_("{name} contains a control character ({code}), not allowed")
TOO_LONG = N_("{name} is {length} characters long, at most {limit} allowed")
REQUIRED = N_("{name} is required")
WHOLE_NUMBER = N_("{name} must be a whole number {low}..{high}, not {value}")
DECIMAL_NUMBER = N_("{name} must be a decimal number 0..{high}, not {value}")
ISO_TIME = N_("{name} must be ISO 8601 with an offset, not {value}")
TIME_RANGE = N_("{name} must be between {earliest} and tomorrow, not {value}")
AMOUNT_WHOLE = N_("amount must be a whole number of units")
SAME_ACCOUNTS = N_("from and to accounts must differ")
LIMIT_RANGE = N_("{field} must be a whole number from 1 to {most}")
SKU_REQUIRED = N_("a SKU is required")
AMBIGUOUS = N_("{key} is the PNK or EAN of several products ({skus}): give the SKU")
NO_CATEGORY = N_("no product is in category {name}; categories: {known}")
NO_CATEGORIES_YET = N_("none yet")
GIVE_SKU = N_("give at least one SKU")
BULK_LIMIT = N_("at most {most} SKUs per call, got {count}")
ADMINS_ONLY = N_("only stockbot admins may {what}; ask one of them")
SNOOZE_ALERTS = N_("snooze alerts")
UNSNOOZE_ALERTS = N_("unsnooze alerts")
MARK_DONE = N_("mark transfers as done")
MARK_SHIPPED = N_("mark shipments as sent")
NOT_A_DURATION = N_("{text} is not a duration: use e.g. 3d, 12h, 2w or {example}")
SNOOZE_PAST = N_("the snooze must end in the future")
SNOOZE_TOO_LONG = N_("a snooze lasts at most 90 days")

ALL = tuple(
    value for name, value in sorted(globals().items()) if name.isupper() and isinstance(value, str)
)
