"""The dashboard's Plan page at /dashboard/plan: the weekly plan's three lists (inbound to
FBE, withdrawal from FBE, purchase), each with its totals and its top lines, linked from
the products page. Read-only, behind the same sign-in as the dashboard."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from bot import plan_service
from bot.plan_words import cover_change, list_title, totals_text, units_text
from bot.runtime import Runtime
from bot.web.dashboard import _signed_in, templates

# Lines shown per list; the CSV (stockbot plan --csv, /stock plan) has them all.
SHOWN = 200

templates.env.globals.update(
    list_title=list_title, totals_text=totals_text, cover_change=cover_change, units_text=units_text
)


def install_plan_page(web: FastAPI) -> None:
    """Mount /dashboard/plan."""

    @web.get("/dashboard/plan", include_in_schema=False, response_model=None)
    def plan_page(request: Request) -> Response:
        if not _signed_in(request):
            return RedirectResponse("/dashboard/login", status_code=303)
        runtime: Runtime = request.app.state.runtime
        plan = plan_service.build(runtime.service, runtime.settings.plan_min_units, SHOWN)
        context = {"plan": plan, "shown": SHOWN}
        return templates.TemplateResponse(request, "plan.html", context)
