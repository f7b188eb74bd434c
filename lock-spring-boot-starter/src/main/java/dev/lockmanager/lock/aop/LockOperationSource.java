package dev.lockmanager.lock.aop;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.springframework.aop.support.AopUtils;
import org.springframework.core.MethodClassKey;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.format.datetime.standard.DurationFormatterUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringValueResolver;

import dev.lockmanager.lock.DistributedLock;
import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.OnFailure;

/**
 * Finds and validates {@link DistributedLock} annotations: each method is parsed once into a {@link LockOperation}
 * and cached per method and target class, "no annotation" included, so the call path does no reflection or parsing.
 * All annotated methods of a class are validated when its proxy is created, so a bad annotation fails at startup.
 */
final class LockOperationSource {

	/** Cached for methods without the annotation. */
	private static final Object NONE = new Object();

	private final Map<MethodClassKey, Object> operations = new ConcurrentHashMap<>(256);

	private final Map<Class<?>, Boolean> lockedClasses = new ConcurrentHashMap<>(256);

	private final LockKeyExpressions expressions;

	private final AnnotationDefaults defaults;

	private final StringValueResolver placeholders;

	LockOperationSource(LockKeyExpressions expressions, AnnotationDefaults defaults, StringValueResolver placeholders) {
		this.expressions = expressions;
		this.defaults = defaults;
		this.placeholders = placeholders;
	}

	/**
	 * @return the operation of a method called on an instance of {@code targetClass}, or {@code null} when it is not
	 * annotated
	 */
	LockOperation operation(Method method, Class<?> targetClass) {
		MethodClassKey cacheKey = new MethodClassKey(method, targetClass);
		Object operation = this.operations.get(cacheKey);
		if (operation == null) {
			operation = parse(method, targetClass);
			this.operations.putIfAbsent(cacheKey, operation);
		}
		return (operation != NONE) ? (LockOperation) operation : null;
	}

	/**
	 * Validates every annotated method of a class, once.
	 * @return whether the class has annotated methods
	 * @throws IllegalStateException for the first invalid annotation, naming the class, method and attribute
	 */
	boolean hasLockedMethods(Class<?> targetClass) {
		Boolean locked = this.lockedClasses.get(targetClass);
		if (locked == null) {
			locked = validate(targetClass);
			this.lockedClasses.putIfAbsent(targetClass, locked);
		}
		return locked;
	}

	private boolean validate(Class<?> targetClass) {
		Class<?> userClass = ClassUtils.getUserClass(targetClass);
		boolean[] found = new boolean[1];
		ReflectionUtils.doWithMethods(userClass, (method) -> {
			if (AnnotatedElementUtils.hasAnnotation(method, DistributedLock.class)) {
				found[0] = true;
				operation(method, targetClass);
			}
		}, ReflectionUtils.USER_DECLARED_METHODS);
		if (found[0] && Modifier.isFinal(userClass.getModifiers())) {
			throw new IllegalStateException("@DistributedLock in " + userClass.getName()
					+ ": the class is final, so no proxy can intercept its methods; make it non-final");
		}
		return found[0];
	}

	private Object parse(Method method, Class<?> targetClass) {
		Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
		DistributedLock annotation = AnnotatedElementUtils.findMergedAnnotation(specific, DistributedLock.class);
		if (annotation == null && specific != method) {
			annotation = AnnotatedElementUtils.findMergedAnnotation(method, DistributedLock.class);
		}
		if (annotation == null) {
			return NONE;
		}
		String description = describe(specific);
		String where = "@DistributedLock on " + description;
		checkInterceptable(specific, where);
		if (!annotation.name().isEmpty() && annotation.name().isBlank()) {
			throw new IllegalStateException(where + ": name is blank; leave it empty for the default name ("
					+ specific.getDeclaringClass().getName() + "." + specific.getName() + ")");
		}
		String name = annotation.name().isEmpty() ? specific.getDeclaringClass().getName() + "." + specific.getName()
				: annotation.name();
		String keySource = annotation.key();
		if (!keySource.isEmpty() && keySource.isBlank()) {
			throw new IllegalStateException(
					where + ": key is blank; leave it empty to lock every call of the method under one key");
		}
		Duration ttl = duration(annotation.ttl(), "ttl", this.defaults.ttl(), where);
		if (ttl.toMillis() < 1 || ttl.compareTo(this.defaults.maxTtl()) > 0) {
			throw new IllegalStateException(where + ": ttl \"" + annotation.ttl() + "\" (" + ttl
					+ ") must be between 1ms and distributed-lock.max-ttl (" + this.defaults.maxTtl() + ")");
		}
		Duration waitTime = duration(annotation.waitTime(), "waitTime", this.defaults.waitTime(), where);
		if (waitTime.isNegative() || waitTime.compareTo(this.defaults.maxWaitTime()) > 0) {
			throw new IllegalStateException(where + ": waitTime \"" + annotation.waitTime() + "\" (" + waitTime
					+ ") must be between 0 and distributed-lock.max-wait-time (" + this.defaults.maxWaitTime() + ")");
		}
		if (annotation.replicas() < LockRequest.REPLICAS_AS_CONFIGURED) {
			throw new IllegalStateException(where + ": replicas " + annotation.replicas()
					+ " must be at least 0 (or -1 for distributed-lock.replica-acknowledgement.replicas)");
		}
		Class<?> returnType = specific.getReturnType();
		if (annotation.onFailure() == OnFailure.SKIP && SkippedResults.unskippable(returnType) != null) {
			throw new IllegalStateException(where + ": " + SkippedResults.unskippable(returnType));
		}
		return new LockOperation(specific, description, name, keySource,
				keySource.isEmpty() ? null : this.expressions.parse(keySource, specific, targetClass, where), ttl,
				waitTime, annotation.renew(), annotation.replicas(), annotation.onFailure(), SkippedResults.of(returnType));
	}

	private static void checkInterceptable(Method method, String where) {
		int modifiers = method.getModifiers();
		String problem = Modifier.isPrivate(modifiers) ? "private"
				: Modifier.isStatic(modifiers) ? "static" : Modifier.isFinal(modifiers) ? "final" : null;
		if (problem != null) {
			throw new IllegalStateException(where + ": the method is " + problem
					+ ", so no proxy can intercept it; make it public (or protected) and non-" + problem);
		}
		String unsupported = SkippedResults.unsupported(method.getReturnType());
		if (unsupported != null) {
			throw new IllegalStateException(where + ": the method " + unsupported);
		}
	}

	private Duration duration(String text, String attribute, Duration fallback, String where) {
		String resolved;
		try {
			resolved = this.placeholders.resolveStringValue(text);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException(where + ": " + attribute + " \"" + text + "\" could not be resolved: "
					+ ex.getMessage(), ex);
		}
		if (resolved == null || resolved.isBlank()) {
			return fallback;
		}
		try {
			return DurationFormatterUtils.detectAndParse(resolved.trim());
		}
		catch (IllegalArgumentException | DateTimeParseException ex) {
			throw new IllegalStateException(where + ": " + attribute + " \"" + text + "\""
					+ (text.equals(resolved) ? "" : " (resolved to \"" + resolved + "\")")
					+ " is not a duration such as \"500ms\", \"10s\" or \"PT1M\"", ex);
		}
	}

	private static String describe(Method method) {
		return method.getDeclaringClass().getName() + "." + method.getName() + Arrays.stream(method.getParameterTypes())
			.map(Class::getSimpleName)
			.collect(Collectors.joining(", ", "(", ")"));
	}

}
