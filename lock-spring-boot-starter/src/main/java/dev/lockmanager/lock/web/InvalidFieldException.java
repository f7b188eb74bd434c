package dev.lockmanager.lock.web;

/**
 * A request field (path segment, header or body property) that the API refuses, answered with 400 naming it.
 */
final class InvalidFieldException extends RuntimeException {

	private final String field;

	InvalidFieldException(String field, String detail) {
		super(detail, null, false, false);
		this.field = field;
	}

	/**
	 * @return the field as the client spells it: {@code name}, {@code key}, {@code ttl}, {@code waitTime},
	 * {@code Lock-Token}, {@code Content-Type} or {@code body}
	 */
	String field() {
		return this.field;
	}

}
