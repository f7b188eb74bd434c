package dev.lockmanager.lock.aop;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.context.expression.AnnotatedElementKey;
import org.springframework.context.expression.CachedExpressionEvaluator;
import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.expression.EvaluationException;
import org.springframework.expression.Expression;
import org.springframework.expression.MethodResolver;
import org.springframework.expression.ParseException;
import org.springframework.expression.PropertyAccessor;
import org.springframework.expression.TypeLocator;
import org.springframework.expression.spel.SpelEvaluationException;
import org.springframework.expression.spel.SpelMessage;
import org.springframework.expression.spel.SpelNode;
import org.springframework.expression.spel.ast.BeanReference;
import org.springframework.expression.spel.ast.ConstructorReference;
import org.springframework.expression.spel.ast.FunctionReference;
import org.springframework.expression.spel.ast.TypeReference;
import org.springframework.expression.spel.ast.VariableReference;
import org.springframework.expression.spel.standard.SpelExpression;
import org.springframework.expression.spel.support.DataBindingMethodResolver;
import org.springframework.expression.spel.support.DataBindingPropertyAccessor;

/**
 * Parses, validates and evaluates {@code @DistributedLock} key expressions, after Spring's cache abstraction: each
 * expression is parsed once per method and cached; each call gets a fresh context whose arguments are bound lazily.
 * <p>
 * Only the annotation's text is ever parsed; argument values are data. The context is restricted to the method's
 * parameters: no type references, constructors, bean references or functions (rejected when parsing), and only
 * read access to properties and instance methods of the arguments (enforced when evaluating).
 */
final class LockKeyExpressions extends CachedExpressionEvaluator {

	private static final TypeLocator NO_TYPES = (typeName) -> {
		throw new SpelEvaluationException(SpelMessage.TYPE_NOT_FOUND, typeName);
	};

	private static final List<MethodResolver> INSTANCE_METHODS = List
		.of(DataBindingMethodResolver.forInstanceMethodInvocation());

	private static final List<PropertyAccessor> READ_ONLY_PROPERTIES = List
		.of(DataBindingPropertyAccessor.forReadOnlyAccess());

	private final Map<ExpressionKey, Expression> cache = new ConcurrentHashMap<>(64);

	/**
	 * Parses a key expression of a method and checks it refers only to the method's parameters.
	 * @throws IllegalStateException naming the method and the fault
	 */
	Expression parse(String source, Method method, Class<?> targetClass, String where) {
		Expression expression;
		try {
			expression = getExpression(this.cache, new AnnotatedElementKey(method, targetClass), source);
		}
		catch (ParseException ex) {
			throw new IllegalStateException(where + ": key \"" + source + "\" is not a valid SpEL expression: "
					+ ex.getSimpleMessage() + " (at position " + ex.getPosition() + ")", ex);
		}
		check(((SpelExpression) expression).getAST(), source, method, where);
		return expression;
	}

	private void check(SpelNode node, String source, Method method, String where) {
		String forbidden = forbidden(node);
		if (forbidden != null) {
			throw new IllegalStateException(where + ": key \"" + source + "\" uses " + forbidden
					+ ", which is not allowed: a key may only refer to the method's parameters");
		}
		if (node instanceof VariableReference) {
			checkVariable(node.toStringAST().substring(1), source, method, where);
		}
		for (int i = 0; i < node.getChildCount(); i++) {
			check(node.getChild(i), source, method, where);
		}
	}

	private static String forbidden(SpelNode node) {
		if (node instanceof TypeReference) {
			return "a type reference (" + node.toStringAST() + ")";
		}
		if (node instanceof ConstructorReference) {
			return "a constructor (" + node.toStringAST() + ")";
		}
		if (node instanceof BeanReference) {
			return "a bean reference (" + node.toStringAST() + ")";
		}
		if (node instanceof FunctionReference) {
			return "a function (" + node.toStringAST() + ")";
		}
		return null;
	}

	private void checkVariable(String variable, String source, Method method, String where) {
		int count = method.getParameterCount();
		if (variable.equals("root") || variable.equals("this") || isIndexed(variable, count)) {
			return;
		}
		String[] names = getParameterNameDiscoverer().getParameterNames(method);
		if (names == null) {
			throw new IllegalStateException(where + ": key \"" + source + "\" refers to #" + variable
					+ " but the parameter names of " + method.getDeclaringClass().getName()
					+ " are not available (compile with -parameters), or refer to parameters by position: #p0 .. #p"
					+ (count - 1));
		}
		if (!List.of(names).contains(variable)) {
			throw new IllegalStateException(where + ": key \"" + source + "\" refers to #" + variable
					+ ", which is not a parameter of the method (parameters: "
					+ ((count == 0) ? "none" : String.join(", ", names) + "; or #p0 .. #p" + (count - 1)) + ")");
		}
	}

	private static boolean isIndexed(String variable, int parameterCount) {
		if (variable.length() < 2 || (variable.charAt(0) != 'p' && variable.charAt(0) != 'a')) {
			return false;
		}
		String index = variable.substring(1);
		return index.chars().allMatch(Character::isDigit) && index.length() < 4
				&& Integer.parseInt(index) < parameterCount;
	}

	/**
	 * Evaluates the key of one call.
	 * @throws IllegalArgumentException when the key is null or blank, naming the method and expression
	 */
	String evaluate(LockOperation operation, Object[] arguments) {
		MethodBasedEvaluationContext context = new MethodBasedEvaluationContext(null, operation.method(), arguments,
				getParameterNameDiscoverer());
		context.setTypeLocator(NO_TYPES);
		context.setConstructorResolvers(List.of());
		context.setMethodResolvers(INSTANCE_METHODS);
		context.setPropertyAccessors(READ_ONLY_PROPERTIES);
		Object value;
		try {
			value = operation.key().getValue(context);
		}
		catch (EvaluationException ex) {
			throw new IllegalArgumentException("@DistributedLock on " + operation.description() + ": key \""
					+ operation.keySource() + "\" could not be evaluated: " + ex.getMessage(), ex);
		}
		String key = (value != null) ? String.valueOf(value) : null;
		if (key == null || key.isBlank()) {
			throw new IllegalArgumentException("@DistributedLock on " + operation.description() + ": key \""
					+ operation.keySource() + "\" evaluated to " + ((key == null) ? "null" : "'" + key + "'")
					+ ", which cannot be locked");
		}
		return key;
	}

}
