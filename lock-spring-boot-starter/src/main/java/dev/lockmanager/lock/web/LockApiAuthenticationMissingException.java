package dev.lockmanager.lock.web;

/**
 * Thrown at startup when the lock API is enabled but nothing could authenticate its clients.
 */
final class LockApiAuthenticationMissingException extends IllegalStateException {

	LockApiAuthenticationMissingException(String reason) {
		super("The HTTP lock API (distributed-lock.http.enabled=true) requires authentication, but " + reason
				+ ". Either set distributed-lock.http.api-key (at least " + LockApiProperties.MIN_API_KEY_LENGTH
				+ " characters; clients send 'Authorization: Bearer <key>'), or add Spring Security "
				+ "(spring-boot-starter-security) and give the API's clients the role " + LockApiSecurityConfiguration.ROLE
				+ ".");
	}

}
