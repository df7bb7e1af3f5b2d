"""Forms for the knowledge pages. They parse input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.accounts.roles import ROLE_PERMISSIONS, SUPERVISE, WORK
from aftersales.assets.models import Product
from aftersales.core.forms import StyledForm, as_id
from aftersales.knowledge.choices import ArticleStatus, ProblemStatus
from aftersales.knowledge.selectors import SEARCH_MAX_LENGTH


class IdChoiceField(forms.ModelChoiceField):
    """A model choice that answers "not a valid choice" to garbage (huge numbers, letters) instead of failing."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if as_id(value) is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several model choices, answering "not a valid choice" to garbage as `IdChoiceField` does."""

    def clean(self, value):
        garbage = next((item for item in value or () if as_id(item) is None), None)
        if garbage is not None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": garbage}
            )
        return super().clean(value)


def products():
    return Product.objects.select_related("vendor").order_by("vendor__name", "name", "model")


class ArticleFilterForm(StyledForm):
    q = forms.CharField(label=_("Search"), max_length=SEARCH_MAX_LENGTH, required=False)
    product = IdChoiceField(Product.objects.none(), label=_("Product"), required=False, empty_label=_("All"))
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *ArticleStatus.choices], required=False)

    def __init__(self, *args, user, product_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = product_queryset
        if not user.is_staff_member:
            del self.fields["status"]  # customers read published articles only


class ArticleForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    symptom = forms.CharField(
        label=_("Symptom"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the user sees: messages, lights, behaviour."),
    )
    cause = forms.CharField(label=_("Cause"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    solution = forms.CharField(
        label=_("Solution"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Needed before the article is published."),
    )
    products = IdMultipleChoiceField(Product.objects.none(), label=_("Products"), required=False)
    visible_to_customers = forms.BooleanField(
        label=_("Visible to customers"),
        required=False,
        help_text=_("Customers read the article in the portal once it is published."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = products()


class FeedbackForm(forms.Form):
    helped = forms.TypedChoiceField(choices=[("yes", "yes"), ("no", "no")], coerce=lambda value: value == "yes")


class VersionForm(forms.Form):
    version = forms.IntegerField(required=False)


def problem_owners():
    roles = [role for role, permissions in ROLE_PERMISSIONS.items() if {WORK, SUPERVISE} & permissions]
    return User.objects.filter(is_active=True, role__in=roles).order_by("last_name", "first_name", "username")


class ProblemFilterForm(StyledForm):
    q = forms.CharField(label=_("Search"), max_length=SEARCH_MAX_LENGTH, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All")), ("active", _("Open or known error")), *ProblemStatus.choices],
        required=False,
    )
    product = IdChoiceField(Product.objects.none(), label=_("Product"), required=False, empty_label=_("All"))

    def __init__(self, *args, product_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = product_queryset


class ProblemForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What keeps happening, where, and since when."),
    )
    root_cause = forms.CharField(label=_("Root cause"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    workaround = forms.CharField(
        label=_("Workaround"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What restores service until the fix is in place."),
    )
    fix = forms.CharField(label=_("Permanent fix"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    products = IdMultipleChoiceField(Product.objects.none(), label=_("Products"), required=False)
    owner = IdChoiceField(User.objects.none(), label=_("Owner"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = products()
        self.fields["owner"].queryset = problem_owners()
        if creating:
            del self.fields["fix"]  # a new problem is open; the fix is written when it is fixed


class ProblemStatusForm(StyledForm):
    status = forms.ChoiceField(label=_("New status"), choices=ProblemStatus.choices)
    fix = forms.CharField(
        label=_("Permanent fix"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed to mark the problem fixed."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class LinkTicketForm(StyledForm):
    number = forms.CharField(label=_("Ticket number"), max_length=20)

    def clean_number(self):
        return self.cleaned_data["number"].strip().upper()


class LinkProblemForm(StyledForm):
    problem = forms.CharField(
        label=_("Problem"), max_length=20, help_text=_("Its reference, such as PRB-00012, or its number.")
    )

    def clean_problem(self):
        text = self.cleaned_data["problem"].strip().upper().removeprefix("PRB-").removeprefix("PRB")
        problem_id = as_id(text)
        if problem_id is None:
            raise forms.ValidationError(_("Enter a problem reference such as PRB-00012."))
        return problem_id
