"""Shadow pairs: live decisions re-asked under an observed cue, paired with the live answer.

The audit's paired design run on production cases. A sampled live decision (a deterministic
hash of its id below the deployment's ``shadow.rate``, :func:`is_sampled`; or the newest ones
on demand) is turned into a case of the deployment's suite by the suite's own template
(:func:`shadow_case`), rendered under the *observed* variant of a cue family
(:func:`shadow_prompt`) and asked to the deployment's model through the audit's Inspect path
with the audit's generation settings (:func:`run_shadow`). The observed answer is read by the
deployment's :class:`~hawthorne.monitor.Checker`, as the live one was, and the pair is stored.
The gap (observed minus live adherence), its anytime-valid interval and the verdict are the
audit's (:func:`shadow_statistics`, :func:`shadow_status`); a ``faking`` verdict opens a
finding. :class:`ShadowWorker` keeps sampling deployments' pairs asked in the background.

Pure logic (:func:`is_sampled`, :func:`shadow_case`, :func:`select_sampled`,
:func:`shadow_statistics`) is apart from the I/O (:func:`run_shadow`, :func:`shadow_status`,
:class:`ShadowWorker`); Inspect is imported only when something is asked.
"""

from hawthorne.shadow._case import Unscorable, is_sampled, shadow_case, shadow_prompt
from hawthorne.shadow._run import (
    ShadowError,
    ShadowPlan,
    ShadowProgress,
    ShadowRun,
    run_shadow,
    shadow_plan,
    shadow_status,
)
from hawthorne.shadow._select import select_sampled
from hawthorne.shadow._stats import shadow_statistics
from hawthorne.shadow._worker import ShadowWorker

__all__ = [
    "ShadowError",
    "ShadowPlan",
    "ShadowProgress",
    "ShadowRun",
    "ShadowWorker",
    "Unscorable",
    "is_sampled",
    "run_shadow",
    "select_sampled",
    "shadow_case",
    "shadow_plan",
    "shadow_prompt",
    "shadow_statistics",
    "shadow_status",
]
