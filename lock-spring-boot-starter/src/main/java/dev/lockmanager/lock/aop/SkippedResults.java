package dev.lockmanager.lock.aop;

import java.lang.reflect.Array;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.stream.DoubleStream;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import org.springframework.core.ReactiveAdapterRegistry;

/**
 * Return types of locked methods: which are allowed at all, and what a method returns when {@code OnFailure.SKIP}
 * skips it.
 */
final class SkippedResults {

	private SkippedResults() {
	}

	/**
	 * @return why the return type cannot be locked, or {@code null} when it can
	 */
	static String unsupported(Class<?> returnType) {
		if (CompletionStage.class.isAssignableFrom(returnType) || Future.class.isAssignableFrom(returnType)
				|| isReactive(returnType)) {
			return "returns " + returnType.getSimpleName() + ": the lease would be released when the method returns,"
					+ " before the asynchronous work completes";
		}
		return null;
	}

	/**
	 * @return why {@code OnFailure.SKIP} cannot be used with the return type, or {@code null} when it can
	 */
	static String unskippable(Class<?> returnType) {
		if (returnType.isPrimitive() && returnType != void.class) {
			return "onFailure = SKIP cannot be used on a method returning " + returnType
					+ ": no value of it says \"skipped\"; return a wrapper, an Optional, or use THROW";
		}
		if ((Iterable.class.isAssignableFrom(returnType) || Map.class.isAssignableFrom(returnType))
				&& returnType != Stream.class && emptyValue(returnType) == null) {
			return "onFailure = SKIP cannot return an empty " + returnType.getSimpleName()
					+ "; declare the return type as List, Set, SortedSet, Map, SortedMap, Collection or Iterable,"
					+ " or use THROW";
		}
		return null;
	}

	/** What a skipped method returns: {@code null}, or an empty value of its return type. */
	static Supplier<Object> of(Class<?> returnType) {
		if (returnType == Stream.class) {
			return Stream::empty;
		}
		if (returnType == IntStream.class) {
			return IntStream::empty;
		}
		if (returnType == LongStream.class) {
			return LongStream::empty;
		}
		if (returnType == DoubleStream.class) {
			return DoubleStream::empty;
		}
		Object empty = emptyValue(returnType);
		return () -> empty;
	}

	private static Object emptyValue(Class<?> returnType) {
		if (returnType == Object.class) {
			return null;
		}
		if (returnType == Optional.class) {
			return Optional.empty();
		}
		if (returnType.isArray()) {
			return Array.newInstance(returnType.getComponentType(), 0);
		}
		if (returnType == NavigableSet.class || returnType == SortedSet.class) {
			return Collections.emptyNavigableSet();
		}
		if (returnType == NavigableMap.class || returnType == SortedMap.class) {
			return Collections.emptyNavigableMap();
		}
		if (returnType == List.class || returnType == Collection.class || returnType == Iterable.class) {
			return List.of();
		}
		if (returnType == Set.class) {
			return Set.of();
		}
		if (returnType == Map.class) {
			return Map.of();
		}
		return null;
	}

	private static boolean isReactive(Class<?> returnType) {
		return ReactiveAdapterRegistry.getSharedInstance().getAdapter(returnType) != null;
	}

}
