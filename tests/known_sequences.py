"""Classical integer sequences computed from their definitions, for the tests."""


def fibonacci(count):
    values = [0, 1]
    while len(values) < count:
        values.append(values[-1] + values[-2])
    return values[:count]


def catalan(count):
    values = [1]
    for n in range(count - 1):
        values.append(values[-1] * (4 * n + 2) // (n + 2))
    return values


def motzkin(count):
    values = [1, 1]
    for n in range(2, count):
        values.append(((2 * n + 1) * values[-1] + (3 * n - 3) * values[-2]) // (n + 2))
    return values[:count]
