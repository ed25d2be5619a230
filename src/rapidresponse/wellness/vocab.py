"""The words of responder wellness: exposure intensities (the taxonomy's levels), the kinds of exposure,
the default budgets, the safe-viewing settings and which harm classes need the strict ones."""

from __future__ import annotations

from ..i18n import N_

INTENSITIES = ("low", "medium", "high", "extreme")
INTENSITY_LABELS = {"low": N_("low"), "medium": N_("medium"), "high": N_("high"), "extreme": N_("extreme")}
# Work at these intensities is routed by budget ("high-intensity work"); low and medium are only logged.
ROUTED = ("high", "extreme")

KINDS = ("reveal", "review", "evidence", "translation")
KIND_LABELS = {"reveal": N_("revealed an item"), "review": N_("reviewed content"),
               "evidence": N_("viewed evidence"), "translation": N_("translated harmful content")}
# The time an exposure counts when its client does not measure it (a reveal in a page without scripts).
NOMINAL_SECONDS = {"reveal": 30, "review": 120, "evidence": 60, "translation": 300}
MAX_SECONDS = 4 * 3600  # one recorded exposure never counts for more than this

# Minutes a day and a week per intensity before the budget is spent (None: logged, never limited).
DEFAULT_BUDGETS: dict[str, tuple[int | None, int | None]] = {
    "low": (None, None), "medium": (240, 1200), "high": (90, 360), "extreme": (30, 120)}
NEAR = 0.8  # the share of a budget from which a break is suggested

# Safe-viewing settings: what each one does to content on every page that shows it.
SETTINGS = ("blur", "greyscale", "mute", "small", "mask_terms", "click_to_reveal", "warn")
SETTING_LABELS = {
    "blur": N_("Blur images"), "greyscale": N_("Show images in greyscale"), "mute": N_("Mute audio and video"),
    "small": N_("Small thumbnails"), "mask_terms": N_("Mask the worst terms in texts"),
    "click_to_reveal": N_("Hide each item until I reveal it"),
    "warn": N_("Warn me before the most severe harm classes")}
GENERAL_DEFAULTS = {"blur": True, "greyscale": True, "mute": True, "small": False, "mask_terms": False,
                    "click_to_reveal": False, "warn": False}
# Stricter for the classes that need it: every protection on.
SENSITIVE_DEFAULTS = dict.fromkeys(SETTINGS, True)
# Harm areas whose content counts as sensitive whatever its level, and the one whose media is never shown.
SENSITIVE_AREAS = ("child_safety", "self_harm", "violent_graphic", "animal_cruelty")
NEVER_SHOWN_AREA = "child_safety"

MIN_GROUP = 5  # the team view names no group of fewer people than this
