"""Every numeric tolerance gradcli decides with, named, with its reason.

A tolerance is a claim about how accurate a number is. Each one lives here
once, so that "is this eigenvalue zero" or "is this gradient zero" has one
answer in every command.
"""

from __future__ import annotations

#: An eigenvalue of a Hessian whose entries are the correctly rounded floats
#: of exact values is zero below this fraction of the largest |eigenvalue|:
#: symmetric eigensolvers are backward stable to a few ulp (≈ 1e-16) of the
#: matrix norm, so 1e-12 leaves four orders of magnitude for that noise and
#: still sees a genuinely small eigenvalue.
EIGENVALUE_ZERO_EXACT_POINT = 1e-12

#: The same question at a point found numerically (the end of a descent, a
#: Newton or Levenberg–Marquardt root): the Hessian there differs from the
#: Hessian at the true critical point by about ‖∇³f‖·δ, with δ the distance
#: (≈ √tol for the default tol 1e-8 on a degenerate point). 1e-8 of
#: max(1, max |λ|) does not mistake that drift for curvature.
EIGENVALUE_ZERO_APPROXIMATE_POINT = 1e-8

#: A point found numerically is a candidate critical point when every
#: component of ∇f there is below this (then it is refined and certified).
NUMERIC_GRADIENT_ZERO = 1e-8

#: Digits the certification of a numeric critical point works with: a Newton
#: step at this precision must contract to a point whose gradient is below
#: 10^-(CERTIFY_DIGITS/2), far below anything a float could fake.
CERTIFY_DIGITS = 50

#: An exact value counts as nonzero when its evaluation at 50 digits is
#: larger than this: sympy's evalf then guarantees the sign is right.
EXACT_SIGN_FLOOR = 1e-40

#: Two answers' floats at a random point differ beyond rounding past this
#: relative difference (a float evaluation of an expression of moderate size
#: loses far fewer than 7 of its 16 digits). It only screens: a gap or an
#: agreement is then settled exactly or with 50 digits.
NUMERIC_RTOL = 1e-9

#: A decimal answer is taken for a mistake's value (|∇f|², a swapped
#: component) within this relative error, to name the mistake; it never makes
#: an answer right (decimals are judged by ``grading.decimals``).
DECIMAL_RTOL = 1e-3
