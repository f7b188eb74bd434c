package dev.lockmanager.lock.web;

/**
 * A request to the lock API without valid credentials: answered with 401 and the challenge.
 */
final class LockApiAuthenticationException extends RuntimeException {

	private final String challenge;

	LockApiAuthenticationException(String challenge, String detail) {
		super(detail, null, false, false);
		this.challenge = challenge;
	}

	/**
	 * @return the {@code WWW-Authenticate} header value
	 */
	String challenge() {
		return this.challenge;
	}

}
