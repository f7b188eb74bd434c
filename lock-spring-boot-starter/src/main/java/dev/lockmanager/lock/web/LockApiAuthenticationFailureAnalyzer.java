package dev.lockmanager.lock.web;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a lock API that was enabled without a way to authenticate its clients, and the two ways out.
 */
final class LockApiAuthenticationFailureAnalyzer extends AbstractFailureAnalyzer<LockApiAuthenticationMissingException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, LockApiAuthenticationMissingException cause) {
		return new FailureAnalysis(cause.getMessage(), "Do one of the following:\n"
				+ "  - set distributed-lock.http.api-key to a secret of at least " + LockApiProperties.MIN_API_KEY_LENGTH
				+ " characters (for example from an environment variable: ${LOCK_API_KEY}); clients send it as "
				+ "'Authorization: Bearer <key>'\n"
				+ "  - add spring-boot-starter-security and give the API's clients the role "
				+ LockApiSecurityConfiguration.ROLE + " (for a quick start: spring.security.user.roles="
				+ LockApiSecurityConfiguration.ROLE + ")\n"
				+ "  - or turn the API off: distributed-lock.http.enabled=false", cause);
	}

}
