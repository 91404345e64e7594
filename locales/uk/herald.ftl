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
