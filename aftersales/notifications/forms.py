from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.core.forms import StyledForm
from aftersales.notifications.choices import Language
from aftersales.notifications.models import ChannelConfig


class PreferenceForm(StyledForm):
    language = forms.ChoiceField(label=_("Language of messages"), choices=Language.choices)
    quiet_hours_start = forms.TimeField(
        label=_("Quiet hours start"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Local time, e.g. 22:00."),
    )
    quiet_hours_end = forms.TimeField(
        label=_("Quiet hours end"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Local time, e.g. 07:00. During quiet hours only urgent messages are sent at once."),
    )

    @classmethod
    def for_preference(cls, preference, data=None):
        initial = {
            "language": preference.language,
            "quiet_hours_start": preference.quiet_hours_start,
            "quiet_hours_end": preference.quiet_hours_end,
        }
        return cls(data, initial=initial)


class ChannelConfigAdminForm(forms.ModelForm):
    """The secret is write-only: typed here, stored encrypted, never rendered back."""

    secret = forms.CharField(
        label=_("New secret"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Password, access key secret or robot signing secret. Leave empty to keep the stored one."),
    )
    clear_secret = forms.BooleanField(label=_("Remove the stored secret"), required=False)

    class Meta:
        model = ChannelConfig
        fields = ["kind", "name", "enabled", "settings"]

    def clean(self):
        cleaned = super().clean()
        # Set before the model's clean() runs (in _post_clean), which checks that kinds needing a secret have one.
        if cleaned.get("secret"):
            self.instance.set_secret(cleaned["secret"])
        elif cleaned.get("clear_secret"):
            self.instance.set_secret("")
        return cleaned


class TestMessageForm(forms.Form):
    recipient = forms.CharField(
        label=_("Recipient"),
        required=False,
        max_length=254,
        help_text=_("An email address or phone number; empty: your own (robots post to their group)."),
    )
