# herald — македонски.

office-default-name = Општински центар за услуги
now-calling = Повикуваме
counter-name = Шалтер { $label }
floor-name = { $floor ->
    [0] приземје
   *[other] { $floor } кат
}
recent-calls = Последни повици
counters = Шалтери
counter-open = отворено
counter-paused = пауза
counter-closed = затворено
recall = Повторен повик
waiting-for-calls = Ве молиме, почекајте да бидете повикани
connection-lost = Нема врска од { $time }
office-closed = Центарот е затворен
office-closed-hint = Ве молиме, дојдете во работното време.

# The emergency screen over everything: its title by kind, and since when it holds.
emergency-evacuation = Евакуација
emergency-closing = Центарот се затвора
emergency-other = Важно известување
emergency-since = Објавено во { $time }
office-hours = Работно време: { $hours }
notices-paused = Известувањата се паузирани
media-paused = Сликите се паузирани
date-line = { $weekday }, { $day } { $month } { $year }
weekday-1 = понеделник
weekday-2 = вторник
weekday-3 = среда
weekday-4 = четврток
weekday-5 = петок
weekday-6 = сабота
weekday-7 = недела
month-1 = јануари
month-2 = февруари
month-3 = март
month-4 = април
month-5 = мај
month-6 = јуни
month-7 = јули
month-8 = август
month-9 = септември
month-10 = октомври
month-11 = ноември
month-12 = декември

# Соопштенија (ги чита гласот на системот).
speech-ticket = Број
speech-go-to = ве молиме, дојдете на шалтер број
speech-recall-ticket = Повторен повик: број
speech-recall-counter = шалтер број
# $ordinal: „првиот“, „вториот“… (од табелата во herald-core).
speech-floor = { $floor ->
    [0] во приземјето
   *[other] на { $ordinal } кат
}
# Имиња на латинските букви; „а“ и „и“ се и зборови, затоа „буквата …“.
ticket-letter = { $letter ->
    [A] буквата а
    [B] бе
    [C] це
    [D] де
    [E] е
    [F] еф
    [G] ге
    [H] ха
    [I] буквата и
    [J] јот
    [K] ка
    [L] ел
    [M] ем
    [N] ен
    [O] о
    [P] пе
    [Q] кју
    [R] ер
    [S] ес
    [T] те
    [U] у
    [V] ве
    [W] дупло ве
    [X] икс
    [Y] ипсилон
    [Z] зет
   *[other] { $letter }
}
people-waiting = { $count ->
    [one] { $count } човек чека
   *[other] { $count } луѓе чекаат
}

# Што треба да знае салата: билети со предност, повикувања на друго место, чекање.
priority = Предност
elsewhere = На друго место
elsewhere-call = { $ticket } – { $counter }, { $floor }{ $way ->
    [up] {" "}(погоре)
    [down] {" "}(подолу)
   *[other] {""}
}
queue-title = Чекаат
queue-wait = околу { $minutes } мин
queue-next = Следни: { $tickets }
qr-caption = Услуги и онлајн: скенирајте го кодот

# Кога се отвора (работно време).
opens-next = { $when ->
    [today] Отворено денес од { $time }
    [tomorrow] Отворено утре од { $time }
    [weekday] Отворено { $weekday } од { $time }
   *[date] Отворено на { $date } од { $time }
}
opens-date = { $day } { $month }
on-weekday-1 = во понеделник
on-weekday-2 = во вторник
on-weekday-3 = во среда
on-weekday-4 = во четврток
on-weekday-5 = во петок
on-weekday-6 = во сабота
on-weekday-7 = во недела
