package dev.lockmanager.lock.web;

import dev.lockmanager.lock.DistributedLock;

/**
 * The lock a request addresses: {@code {base-path}/{name}} is the lock (name, {@value DistributedLock#NO_KEY}), the
 * lock of {@code @DistributedLock(name = "{name}")} without a key; {@code {base-path}/{name}/{key}} is (name, key).
 * Path segments arrive percent-decoded.
 *
 * @param name the lock's namespace
 * @param key the locked value
 */
record LockAddress(String name, String key) {

	/** The longest name or key accepted, in characters (code points). */
	static final int MAX_LENGTH = 200;

	static LockAddress of(String name, String key) {
		requireValid("name", name);
		if (key == null) {
			return new LockAddress(name, DistributedLock.NO_KEY);
		}
		requireValid("key", key);
		return new LockAddress(name, key);
	}

	private static void requireValid(String field, String value) {
		if (value.isBlank()) {
			throw new InvalidFieldException(field, field + " must not be empty or blank");
		}
		int length = value.codePointCount(0, value.length());
		if (length > MAX_LENGTH) {
			throw new InvalidFieldException(field,
					field + " must be at most " + MAX_LENGTH + " characters but was " + length + " characters long");
		}
		int control = value.codePoints().filter(Character::isISOControl).findFirst().orElse(-1);
		if (control >= 0) {
			throw new InvalidFieldException(field, field + " must not contain control characters but contains U+"
					+ String.format("%04X", control));
		}
	}

}
