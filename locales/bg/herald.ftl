# herald — български.

office-default-name = Център за информация и услуги на гражданите
now-calling = Покана
counter-name = Гише { $label }
# Bulgarian buildings count the ground floor as the first: $storey is $floor + 1.
floor-name = етаж { $storey }
recent-calls = Последни повиквания
counters = Гишета
counter-open = работи
counter-paused = почивка
counter-closed = затворено
recall = Повторно повикване
waiting-for-calls = Моля, изчакайте да бъдете повикани
connection-lost = Няма връзка от { $time }
office-closed = Центърът е затворен
office-closed-hint = Моля, заповядайте в работното време.

# The emergency screen over everything: its title by kind, and since when it holds.
emergency-evacuation = Евакуация
emergency-closing = Центърът затваря
emergency-other = Важно съобщение
emergency-since = Обявено в { $time }
office-hours = Работно време: { $hours }
notices-paused = Съобщенията са спрени
media-paused = Изображенията са спрени
date-line = { $weekday }, { $day } { $month } { $year } г.
weekday-1 = понеделник
weekday-2 = вторник
weekday-3 = сряда
weekday-4 = четвъртък
weekday-5 = петък
weekday-6 = събота
weekday-7 = неделя
month-1 = януари
month-2 = февруари
month-3 = март
month-4 = април
month-5 = май
month-6 = юни
month-7 = юли
month-8 = август
month-9 = септември
month-10 = октомври
month-11 = ноември
month-12 = декември

# Съобщения (чете ги гласът на системата).
speech-ticket = Номер
speech-go-to = моля, заповядайте на гише номер
speech-recall-ticket = Повторно повикване: номер
speech-recall-counter = гише номер
# $ordinal: „първия“, „втория“… (от таблицата в herald-core; първият етаж е входният).
speech-floor = на { $ordinal } етаж
# Имена на латинските букви; „а“ и „и“ са и думи, затова „буква …“.
ticket-letter = { $letter ->
    [A] буква а
    [B] бе
    [C] це
    [D] де
    [E] е
    [F] еф
    [G] же
    [H] ха
    [I] буква и
    [J] йот
    [K] ка
    [L] ел
    [M] ем
    [N] ен
    [O] о
    [P] пе
    [Q] кю
    [R] ер
    [S] ес
    [T] те
    [U] у
    [V] ве
    [W] двойно ве
    [X] икс
    [Y] игрек
    [Z] зет
   *[other] { $letter }
}
people-waiting = { $count ->
    [one] { $count } човек чака
   *[other] { $count } души чакат
}

# Какво трябва да знае залата: билети с предимство, повиквания другаде в сградата, чакащи.
priority = С предимство
elsewhere = Другаде
elsewhere-call = { $ticket } – { $counter }, { $floor }{ $way ->
    [up] {" "}(по-горе)
    [down] {" "}(по-долу)
   *[other] {""}
}
queue-title = Чакащи
queue-wait = около { $minutes } мин
queue-next = Следващи: { $tickets }
qr-caption = Услуги и онлайн: сканирайте кода

# Кога отваря (работно време).
opens-next = { $when ->
    [today] Отваря днес в { $time }
    [tomorrow] Отваря утре в { $time }
    [weekday] Отваря { $weekday } в { $time }
   *[date] Отваря на { $date } в { $time }
}
opens-date = { $day } { $month }
on-weekday-1 = в понеделник
on-weekday-2 = във вторник
on-weekday-3 = в сряда
on-weekday-4 = в четвъртък
on-weekday-5 = в петък
on-weekday-6 = в събота
on-weekday-7 = в неделя
