from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    """What one searchable object can be found by, kept current by `aftersales.search.indexing`.

    Besides the table: on PostgreSQL a trigram GIN index on `text` (pg_trgm) answers words of three or
    more characters and a GIN index on `string_to_array(grams, ' ')` answers one- and two-character
    words; on SQLite an FTS5 table with the trigram tokenizer (`search_entry_fts`, kept in step by
    triggers) answers words of three or more characters. See migrations 0002 and 0003.

    A later migration that makes Django rebuild this table on SQLite (most field changes) drops those
    triggers with the old table: it must create them again (copy them from 0002).
    """

    kind = models.CharField(_("kind"), max_length=20)
    object_id = models.BigIntegerField(_("object id"))
    # The owning customer, for tenancy pre-filtering; NULL for provider-wide things (knowledge articles).
    customer_id = models.BigIntegerField(_("customer id"), null=True, blank=True)
    customer_visible = models.BooleanField(
        _("visible to customers"), default=True, help_text=_("For entries without a customer: may customers find it?")
    )
    title = models.CharField(_("title"), max_length=300)
    ordered_at = models.DateTimeField(_("ordered at"))
    text = models.TextField(_("text"), help_text=_("Normalised fields, one per line."))
    grams = models.TextField(_("grams"), help_text=_("Every distinct one- and two-character gram of the text."))

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique_object")]
        indexes = [
            # Newest first within a kind, for staff; and within a customer's entries, for its users.
            models.Index(fields=["kind", "-ordered_at", "-object_id"], name="search_kind_newest_idx"),
            models.Index(
                fields=["customer_id", "kind", "-ordered_at", "-object_id"], name="search_customer_newest_idx"
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id}: {self.title}"
