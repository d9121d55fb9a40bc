"""Every user-visible text in English."""

TEXTS: dict[str, str] = {
    "button_get_page": "Get a coloring page",
    "button_support": "Support",
    "friend": "friend",
    "welcome_new": (
        "Hi, {name}! I draw coloring pages: describe a picture in a few words and I'll send a page "
        "with crisp black outlines, as a picture and as a PDF to print on A4.\n\n"
        "You have {credits} free pages. Press “Get a coloring page” to start."
    ),
    "welcome_back": (
        "Welcome back, {name}! You have {credits} pages left. "
        "Press “Get a coloring page” to draw a new one."
    ),
    "ask_description": (
        "Describe what to draw, e.g. “a cat in a hat” or “a dinosaur on a skateboard”. "
        "{min} to {max} characters."
    ),
    "drawing": "Drawing “{title}”… It usually takes up to a minute; I'll send it as soon as it's ready.",
    "page_ready": "Done: “{title}”. Pages left: {credits}.",
    "drew": "Drew: {names}.",
    "offline_note": (
        "I found nothing in the description I know how to draw, so this is a pattern page "
        "titled with your description. Name an animal or a thing, e.g. “cat”, “rocket”, “cake”."
    ),
    "page_ready_last": "Done: “{title}”. That was your last page.",
    "page_failed": "I couldn't draw “{title}”. You were not charged — please try again.",
    "page_without_pdf": "I couldn't send the PDF of “{title}”, but the picture above prints just as well.",
    "page_interrupted": (
        "Work on “{title}” was interrupted (the service restarted). You were not charged — "
        "please try again."
    ),
    "no_credits": "You have no pages left.",
    "no_credits_support": "You have no pages left. To get more, contact support: {contact}",
    "support": "Support: {contact}",
    "support_missing": "No support contact is set up yet. Please try later.",
    "prompt_empty": "The description is empty. Tell me in words what to draw.",
    "prompt_too_short": "Too short: at least {min} characters, please. What should I draw?",
    "prompt_too_long": "Too long: at most {max} characters (yours has {length}). Please shorten it.",
    "job_in_flight": "I'm still drawing your previous page. Once it arrives you can order the next one.",
    "balance": "Free pages: {free}, bought: {paid}, in progress: {held}.",
    "help": (
        "I turn a description into a printable coloring page.\n"
        "“Get a coloring page” — draw a new page.\n"
        "“Support” — contact us.\n"
        "/balance — how many pages you have left\n"
        "/check — service status\n"
        "/cancel — stop entering a description\n"
        "/start — start over"
    ),
    "check_ok": "The service is up. Your pages: {credits}.",
    "check_down": "The service is having trouble right now. Please try again shortly.",
    "check_admin": (
        "Storage: {storage} ({storage_ms} ms)\nUsers: {users}\n"
        "Generator: {backend}\nQueue: {queue}, drawing now: {running}"
    ),
    "cancelled": "OK, cancelled. Press “Get a coloring page” when you're ready.",
    "nothing_to_cancel": "Nothing to cancel.",
    "unknown_command": "I don't know that command. See /help for the list.",
    "press_button": "To draw a coloring page, press “Get a coloring page” and describe the picture.",
    "not_text": "I only understand text. Tell me in words what to draw.",
    "unreadable_input": "I couldn't read that message (unknown encoding). Please send it again.",
    "line_too_long": "That line was too long, so I skipped all of it. Please write something shorter.",
    "banned": "Access to the bot is restricted. If this is a mistake, contact support.",
    "storage_down": "The service is temporarily unavailable; nothing was charged. Please try in a few minutes.",
    "too_fast": "You are writing faster than I can answer: I skipped some messages. Please wait.",
    "error": "Sorry, something went wrong. Nothing was charged — please try again.",
    "unknown_button": "That button is out of date. Please use the menu below.",
    "admin_copy": "Page for {user_id} {mention} ({name}): “{title}”",
    "file_id": "file_id: {file_id}\nTo send this photo on /start, add it to PAINTBOT_WELCOME_PHOTOS.",
    "broadcast_usage": "Write the text after the command: /broadcast Your message",
    "broadcast_too_long": "Too long for one message: at most {max} characters.",
    "broadcast_started": "Broadcast started. I'll report when it's done.",
    "broadcast_done": "Broadcast finished: delivered {sent} of {recipients}, blocked the bot {blocked}, errors {failed}.",
    "send_a_file": "Send a photo, document or sticker and I will reply with its file_id.",
    "cmd_start": "Start and open the menu",
    "cmd_draw": "Draw a coloring page",
    "cmd_balance": "How many pages are left",
    "cmd_help": "What the bot can do",
    "cmd_check": "Service status",
    "cmd_cancel": "Stop entering a description",
    "cmd_support": "Contact support",
    "backend_down": "⚠️ The image backend refuses everyone: {error}. Check the OpenAI key, billing and limits. Users are not charged.",
    "prompt_rejected": "I can't draw that one: pages must be suitable for children. Nothing was charged — please try another description.",
    "button_settings": "Settings",
    "settings": "Age: {level}. Style: {style}.\nChoose who the pages are for and their style — I'll remember.",
    "settings_saved": "Saved: {choice}",
    "level_2-4": "ages 2–4",
    "level_4-7": "ages 4–7",
    "level_8-12": "ages 8–12",
    "level_adult": "adults",
    "style_cartoon": "cartoon",
    "style_realistic": "realistic",
    "style_mandala": "mandala",
    "style_kawaii": "kawaii",
    "cmd_settings": "Age and style of the pages",
    "photo_hint": "file_id: {file_id}\nTo turn the photo into a coloring page, send it with a caption.",
    "photo_title": "Coloring page from a photo",
}
