from marshmallow import Schema, fields


class JournalEntrySchema(Schema):
    id = fields.Integer()
    at = fields.AwareDateTime()
    user_email = fields.String()
    organisation_id = fields.Integer(allow_none=True)
    action = fields.String()
    object_type = fields.String()
    object_id = fields.String()
    ip = fields.String()
    details = fields.String()
    seal_id = fields.Integer(allow_none=True)
