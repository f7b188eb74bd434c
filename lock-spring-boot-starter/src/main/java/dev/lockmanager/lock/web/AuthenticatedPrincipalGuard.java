package dev.lockmanager.lock.web;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.security.authentication.AuthenticationTrustResolver;
import org.springframework.security.authentication.AuthenticationTrustResolverImpl;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * With Spring Security, the security filter chain decides who may use the API (role {@code LOCK_CLIENT} by default).
 * This guard only makes sure that no request reaches a lock unauthenticated, whatever the filter chains match, for
 * example when a servlet mapping moves the API out of the chain's paths.
 */
final class AuthenticatedPrincipalGuard extends LockApiGuard {

	private final AuthenticationTrustResolver trustResolver = new AuthenticationTrustResolverImpl();

	@Override
	void check(HttpServletRequest request) {
		if (!this.trustResolver.isAuthenticated(SecurityContextHolder.getContext().getAuthentication())) {
			throw new LockApiAuthenticationException(LockApiSecurityConfiguration.CHALLENGE,
					"Authentication is required: a user with the role " + LockApiSecurityConfiguration.ROLE);
		}
	}

}
