# herald — українська.

office-default-name = Центр надання адміністративних послуг
now-calling = Запрошуємо
counter-name = Вікно { $label }
# Ukrainian buildings count the ground floor as the first: $storey is $floor + 1.
floor-name = { $storey } поверх
recent-calls = Останні виклики
counters = Робочі місця
counter-open = працює
counter-paused = перерва
counter-closed = зачинено
recall = Повторний виклик
waiting-for-calls = Будь ласка, очікуйте на виклик
connection-lost = Немає з'єднання з { $time }
office-closed = Центр зачинено
office-closed-hint = Завітайте, будь ласка, у години прийому.

# The emergency screen over everything: its title by kind, and since when it holds.
emergency-evacuation = Евакуація
emergency-closing = Центр зачиняється
emergency-other = Важливе повідомлення
emergency-since = Оголошено о { $time }
office-hours = Години прийому: { $hours }
notices-paused = Оголошення зупинено
media-paused = Зображення зупинено
date-line = { $weekday }, { $day } { $month } { $year }
weekday-1 = понеділок
weekday-2 = вівторок
weekday-3 = середа
weekday-4 = четвер
weekday-5 = п'ятниця
weekday-6 = субота
weekday-7 = неділя
# Months in the genitive, as in a date: "22 листопада".
month-1 = січня
month-2 = лютого
month-3 = березня
month-4 = квітня
month-5 = травня
month-6 = червня
month-7 = липня
month-8 = серпня
month-9 = вересня
month-10 = жовтня
month-11 = листопада
month-12 = грудня

# Оголошення (читає голос системи).
speech-ticket = Талон
speech-go-to = будь ласка, підійдіть до вікна номер
speech-recall-ticket = Повторний виклик: талон
speech-recall-counter = вікно номер
# $ordinal: «першому», «другому»… (з таблиці herald-core; перший поверх — це вхідний).
speech-floor = на { $ordinal } поверсі
# Назви латинських літер; «а», «і», «о», «у» — також слова, тому «літера …».
ticket-letter = { $letter ->
    [A] літера а
    [B] бе
    [C] це
    [D] де
    [E] е
    [F] еф
    [G] ге
    [H] аш
    [I] літера і
    [J] йот
    [K] ка
    [L] ел
    [M] ем
    [N] ен
    [O] літера о
    [P] пе
    [Q] ку
    [R] ер
    [S] ес
    [T] те
    [U] літера у
    [V] ве
    [W] дубль-ве
    [X] ікс
    [Y] ігрек
    [Z] зет
   *[other] { $letter }
}
people-waiting = { $count ->
    [one] { $count } людина чекає
    [few] { $count } людини чекають
    [many] { $count } людей чекають
   *[other] { $count } людини чекають
}

# Що потрібно знати залі: пріоритетні талони, виклики деінде в будівлі, черга.
priority = Пріоритет
elsewhere = Деінде
elsewhere-call = { $ticket } – { $counter }, { $floor }{ $way ->
    [up] {" "}(вище)
    [down] {" "}(нижче)
   *[other] {""}
}
queue-title = У черзі
queue-wait = близько { $minutes } хв
queue-next = Далі: { $tickets }
qr-caption = Скористайтеся послугами онлайн: скануйте код

# Коли відкривається (розклад роботи).
opens-next = { $when ->
    [today] Відкрито сьогодні з { $time }
    [tomorrow] Відкрито завтра з { $time }
    [weekday] Відкрито { $weekday } з { $time }
   *[date] Відкрито { $date } з { $time }
}
opens-date = { $day } { $month }
on-weekday-1 = у понеділок
on-weekday-2 = у вівторок
on-weekday-3 = у середу
on-weekday-4 = у четвер
on-weekday-5 = у пʼятницю
on-weekday-6 = у суботу
on-weekday-7 = у неділю
