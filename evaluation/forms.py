from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from civicworks.inputs import code_choice
from projects.models import District, ProjectCategory

from .models import MAX_CODES

SATISFACTION_CHOICES = [
    (5, _("5 – very satisfied")),
    (4, _("4 – satisfied")),
    (3, _("3 – neutral")),
    (2, _("2 – dissatisfied")),
    (1, _("1 – very dissatisfied")),
]
HAPPINESS_CHOICES = [("", _("Choose 0–10")), *((n, str(n)) for n in range(10, -1, -1))]


class SurveyForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you with this project overall?"),
        choices=SATISFACTION_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    happiness = forms.TypedChoiceField(
        label=_("How happy are you living here since the project? (0 = not at all, 10 = very)"),
        choices=HAPPINESS_CHOICES,
        coerce=int,
    )
    comment = forms.CharField(
        label=_("Anything else you want to tell the evaluators? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    code = forms.CharField(
        label=_("Invitation code (optional)"),
        help_text=_("The code on the card the evaluators gave you, for example ABCD-EFGH-JKMN."),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class ReasonForm(forms.Form):
    """The reason the console asks for before a step that is kept on the record."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Kept with your name and the time."),
    )


class CodeCountForm(forms.Form):
    count = forms.IntegerField(label=_("Codes per survey"), min_value=1, max_value=MAX_CODES, initial=100)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_("Columns: project_code, respondent_ref, satisfaction (1–5), happiness (0–10), comment."),
    )


class ResultsFilterForm(forms.Form):
    """Differentiated by place and kind (分类施策): the results of one district or one category."""

    district = code_choice(label=_("District"), queryset=District.objects.all(), empty_label=_("All"))
    category = code_choice(label=_("Category"), queryset=ProjectCategory.objects.all(), empty_label=_("All"))

    def apply(self, scorecards: QuerySet) -> QuerySet:
        if not self.is_bound or not self.is_valid():
            return scorecards
        if self.cleaned_data["district"]:
            scorecards = scorecards.filter(project__district=self.cleaned_data["district"])
        if self.cleaned_data["category"]:
            scorecards = scorecards.filter(project__category=self.cleaned_data["category"])
        return scorecards
