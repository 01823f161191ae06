"""Local Telegram Bot API emulator for end-to-end tests and terminal chats with the bot."""

from bot.emulator.models import (
    ApiCall,
    BotMessage,
    Button,
    CallbackAnswer,
    EmulatorStats,
    StoredFile,
    WebhookDelivery,
)
from bot.emulator.server import DEFAULT_TOKEN, BotApiEmulator, SimulatedChat, SimulatedUser

__all__ = [
    "DEFAULT_TOKEN",
    "ApiCall",
    "BotApiEmulator",
    "BotMessage",
    "Button",
    "CallbackAnswer",
    "EmulatorStats",
    "SimulatedChat",
    "SimulatedUser",
    "StoredFile",
    "WebhookDelivery",
]
