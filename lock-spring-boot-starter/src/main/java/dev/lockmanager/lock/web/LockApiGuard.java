package dev.lockmanager.lock.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Refuses requests to the lock API that do not carry valid credentials, before the request body is read. It guards
 * the {@link LockApiController}'s handlers themselves rather than URL patterns, so no servlet mapping or path
 * variation can reach a lock without passing it. A refusal is a {@link LockApiAuthenticationException}, which the
 * controller answers as a problem.
 */
abstract class LockApiGuard implements HandlerInterceptor {

	@Override
	public final boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
		if (handler instanceof HandlerMethod method && LockApiController.class.isAssignableFrom(method.getBeanType())) {
			check(request);
		}
		return true;
	}

	/**
	 * @throws LockApiAuthenticationException when the request may not use the API
	 */
	abstract void check(HttpServletRequest request);

}
