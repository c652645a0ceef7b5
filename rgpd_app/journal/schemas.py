from marshmallow import Schema


class JournalEntrySchema(Schema):
    class Meta:
        fields = (
            "id",
            "at",
            "user_email",
            "organisation_id",
            "action",
            "object_type",
            "object_id",
            "ip",
            "details",
            "seal_id",
        )
