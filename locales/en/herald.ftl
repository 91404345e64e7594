# herald — English. The reference catalogue: every other language has the same keys.
# Words shown on the waiting-room screen.

office-default-name = Client centre
now-calling = Now calling
# A counter as written on the screen and spoken; $label is the sign above it ("3", "12A").
counter-name = Counter { $label }
# $floor: 0 is the ground floor, 1 the floor above it (European numbering).
# $storey is $floor + 1, for languages that count the ground floor as the first.
floor-name = { $floor ->
    [0] ground floor
    [1] 1st floor
    [2] 2nd floor
    [3] 3rd floor
   *[other] floor { $floor }
}
recent-calls = Recent calls
counters = Counters
counter-open = open
counter-paused = break
counter-closed = closed
recall = Recall
waiting-for-calls = Please wait to be called
connection-lost = Connection lost since { $time }
office-closed = The office is closed
office-closed-hint = Please come back during opening hours.

# The emergency screen over everything: its title by kind, and since when it holds.
emergency-evacuation = Evacuation
emergency-closing = The office is closing
emergency-other = Important announcement
emergency-since = Announced at { $time }
# Shown instead of the hint when the office gives its hours (--hours).
office-hours = Opening hours: { $hours }
# In the notice bar while staff have paused the rotating notices (Space or P).
notices-paused = Notices paused
# Over the media zone while staff have paused the pictures (with the notices, Space or P).
media-paused = Pictures paused
# The date line; $weekday and $month come from the lists below.
date-line = { $weekday }, { $month } { $day }, { $year }
weekday-1 = Monday
weekday-2 = Tuesday
weekday-3 = Wednesday
weekday-4 = Thursday
weekday-5 = Friday
weekday-6 = Saturday
weekday-7 = Sunday
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

# Spoken announcements (read by the system voice, never shown).
# $ticket is the ticket as read aloud (see ticket-letter), $counter the counter's label.
speech-ticket = Ticket
speech-go-to = please go to counter
speech-recall-ticket = Once more: ticket
speech-recall-counter = counter
# $ordinal: "first", "second"… (from herald-core's table).
speech-floor = { $floor ->
    [0] on the ground floor
   *[other] on the { $ordinal } floor
}
# How a ticket's letter is read aloud, so the voice never reads it as a word.
ticket-letter = { $letter ->
    [A] ay
    [B] bee
    [C] see
    [D] dee
    [E] ee
    [F] ef
    [G] gee
    [H] aitch
    [I] eye
    [J] jay
    [K] kay
    [L] el
    [M] em
    [N] en
    [O] oh
    [P] pee
    [Q] cue
    [R] ar
    [S] ess
    [T] tee
    [U] you
    [V] vee
    [W] double you
    [X] ex
    [Y] why
    [Z] zed
   *[other] { $letter }
}
# A count on screen (CLDR plural categories of English: one, other).
people-waiting = { $count ->
    [one] { $count } person waiting
   *[other] { $count } people waiting
}

# What the room needs to know: priority tickets, calls elsewhere in the building, who waits.
priority = Priority
elsewhere = Elsewhere
elsewhere-call = { $ticket } – { $counter }, { $floor }{ $way ->
    [up] {" "}(upstairs)
    [down] {" "}(downstairs)
   *[other] {""}
}
queue-title = Waiting
queue-wait = about { $minutes } min
queue-next = Next: { $tickets }
qr-caption = Many services are online: scan the code

# When the office opens next (opening hours).
opens-next = { $when ->
    [today] Open today from { $time }
    [tomorrow] Open tomorrow from { $time }
    [weekday] Open { $weekday } from { $time }
   *[date] Open on { $date } from { $time }
}
opens-date = { $day } { $month }
on-weekday-1 = on Monday
on-weekday-2 = on Tuesday
on-weekday-3 = on Wednesday
on-weekday-4 = on Thursday
on-weekday-5 = on Friday
on-weekday-6 = on Saturday
on-weekday-7 = on Sunday
