"""Photos and PDFs in a chat: the customer sends one, the customer and agents read it back.

Files are served as downloads of their sniffed type with a policy that runs nothing, so a file crafted to look like
a page can never act as one of ours.
"""
from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response, status

from api.chat.attachments import attach, stored_attachment
from api.chat.live_events import publish_messages
from api.chat.transcripts import as_reply
from api.storage.models import Attachment
from api.web.deps import CurrentAgent, CustomerConversation, ServicesDep, SessionDep, limit_customer_messages
from api.web.schemas import AttachmentOut, AttachmentResult
from contracts.payloads import CustomerPayload

router = APIRouter(tags=["attachments"])
UPLOADS = re.compile(r"/api/conversations/[^/]+/attachments")  # BodySizeLimit gives these the attachment cap


def _download(attachment: Attachment) -> Response:
    disposition = "inline" if attachment.content_type.startswith("image/") else "attachment"
    return Response(attachment.data, media_type=attachment.content_type, headers={
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(attachment.name)}",
        "Content-Security-Policy": "default-src 'none'; sandbox", "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store"})


@router.post("/api/conversations/{conversation_id}/attachments", status_code=status.HTTP_201_CREATED,
             dependencies=[Depends(limit_customer_messages)], responses={
                 413: {"description": "Larger than SHOPBOT_MAX_ATTACHMENT_BYTES."},
                 415: {"description": "Not a JPEG, PNG, GIF, WebP or PDF file (judged by its content, not its name)."},
                 422: {"description": "An empty file."}})
async def upload(request: Request, conversation: CustomerConversation, session: SessionDep, services: ServicesDep,
                 name: Annotated[str, Query(max_length=255, description="The file's name as the customer's device had it.")] = "attachment",
                 ) -> AttachmentResult:
    """Send a photo or PDF as the request body (any Content-Type: the file's own bytes decide what it is)."""
    stored = await attach(session, conversation, await request.body(), name)
    await publish_messages(session, services.hub, conversation, stored)
    message, replies = stored[0], stored[1:]
    return AttachmentResult(message_id=message.id, attachment=AttachmentOut.model_validate(CustomerPayload.from_json(message.payload).attachment, from_attributes=True),
                            replies=[as_reply(m) for m in replies], state=conversation.state)


@router.get("/api/conversations/{conversation_id}/attachments/{attachment_id}", response_class=Response,
            responses={200: {"content": {"image/jpeg": {}, "application/pdf": {}}}})
async def customer_download(attachment_id: str, conversation: CustomerConversation, session: SessionDep) -> Response:
    return _download(await stored_attachment(session, conversation.id, attachment_id))


@router.get("/api/agent/conversations/{conversation_id}/attachments/{attachment_id}", response_class=Response,
            responses={200: {"content": {"image/jpeg": {}, "application/pdf": {}}}})
async def agent_download(conversation_id: str, attachment_id: str, agent: CurrentAgent, session: SessionDep) -> Response:
    return _download(await stored_attachment(session, conversation_id, attachment_id))
