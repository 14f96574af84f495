"""Correct submissions written the way the Korean seed student writes (``../shared/seed/``), as test data.

Two-space indents and a space before the colon, the book's names (``MulLayer``, ``dout``, ``params['W1']``,
``lastLayer``), comments and docstrings in Korean with the Korean edition's terms (순전파, 역전파, 국소적 미분,
연쇄법칙, 기울기 확인), Hangul identifiers (``사과_가격 = 100``), Korean ``print`` strings and f-strings, the
seed's shopping example (사과 100원, 귤 150원, 소비세 10%), and written answers in Korean markdown. All of it is
written for this course, not copied from the seed or the book, and all of it is correct: every graded cell
must give full marks (``tests/assignments/test_korean_style.py``).

``KOREAN`` maps an assignment to its cells: ``grade_id`` → the answer cell's new text (code answers and written
answers alike), ``"above:<grade_id>"`` / ``"below:<grade_id>"`` → an extra cell the student added next to it
(code, or markdown when the text starts with ``"md:"``).
``SEEN`` maps an assignment to Korean text that must come back out of grading unchanged: printed lines (in the
outputs of the feedback notebook) and comments (in its cells).
"""

import nbformat

from autograder import notebook as nbtools
from course.sequence import ROOT, by_name

A01, A02, A03 = "01_computational_graphs", "02_simple_layers", "03_activation_layers"
A04, A05, A06 = "04_affine_softmax", "05_full_backprop", "06_training_mnist"

# --------------------------------------------------------------------------------------------------------------
# 01 계산 그래프: 노드의 값과 각 에지의 미분을 손으로 계산

GRAPHS = {
    "apple_graph_forward_solution": '''
# 순전파 : 계산 그래프의 왼쪽에서 오른쪽으로
def apple_graph_forward(apple, apple_num, tax) :
  """사과 가격 계산 그래프의 순전파. 각 노드의 값을 dict로 돌려준다."""
  사과_금액 = apple * apple_num  # 곱셈 노드 1
  지불_금액 = 사과_금액 * tax    # 곱셈 노드 2 (소비세)
  return {"apple_price" : 사과_금액, "price" : 지불_금액}
''',
    "apple_graph_backward_solution": '''
# 역전파 : 오른쪽에서 왼쪽으로, 상류의 미분에 국소적 미분을 곱해서 전달
def apple_graph_backward(apple, apple_num, tax) :
  값 = apple_graph_forward(apple, apple_num, tax)
  dprice = 1.0  # 출발점
  # 곱셈 노드는 입력을 서로 바꿔서 곱한다
  dapple_price = dprice * tax
  dtax = dprice * 값["apple_price"]
  dapple = dapple_price * apple_num
  dapple_num = dapple_price * apple
  return {"dprice" : dprice, "dapple_price" : dapple_price, "dtax" : dtax,
          "dapple" : dapple, "dapple_num" : dapple_num}
''',
    "apple_orange_graph_forward_solution": '''
def apple_orange_graph_forward(apple, apple_num, orange, orange_num, tax) :
  """사과와 귤을 함께 살 때의 순전파"""
  사과_금액 = apple * apple_num
  귤_금액 = orange * orange_num
  합계 = 사과_금액 + 귤_금액  # 덧셈 노드
  return {"apple_price" : 사과_금액, "orange_price" : 귤_금액, "all_price" : 합계, "price" : 합계 * tax}
''',
    "apple_orange_graph_backward_solution": '''
def apple_orange_graph_backward(apple, apple_num, orange, orange_num, tax) :
  """사과와 귤을 함께 살 때의 역전파 : 덧셈 노드는 상류 값을 그대로 흘려보낸다"""
  값 = apple_orange_graph_forward(apple, apple_num, orange, orange_num, tax)
  dprice = 1.0
  dall_price = dprice * tax
  dtax = dprice * 값["all_price"]
  dapple_price = dall_price * 1  # 덧셈 노드의 국소적 미분은 1
  dorange_price = dall_price * 1
  dapple, dapple_num = dapple_price * apple_num, dapple_price * apple
  dorange, dorange_num = dorange_price * orange_num, dorange_price * orange
  return {"dprice" : dprice, "dall_price" : dall_price, "dtax" : dtax,
          "dapple_price" : dapple_price, "dorange_price" : dorange_price,
          "dapple" : dapple, "dapple_num" : dapple_num, "dorange" : dorange, "dorange_num" : dorange_num}
''',
    "fanout_solution": '''
def fanout_forward(apple_price, orange_price, tax) :
  # 소비세 tax가 두 노드로 나뉘어 들어간다
  사과_세후 = apple_price * tax
  귤_세후 = orange_price * tax
  return {"apple_taxed" : 사과_세후, "orange_taxed" : 귤_세후, "price" : 사과_세후 + 귤_세후}


def fanout_backward(apple_price, orange_price, tax) :
  fanout_forward(apple_price, orange_price, tax)
  dprice = 1.0
  dapple_taxed = dprice * 1
  dorange_taxed = dprice * 1
  dapple_price = dapple_taxed * tax
  dorange_price = dorange_taxed * tax
  # 갈라진 변수의 미분은 두 갈래에서 돌아온 값을 더한다
  dtax = dapple_taxed * apple_price + dorange_taxed * orange_price
  return {"dprice" : dprice, "dapple_taxed" : dapple_taxed, "dorange_taxed" : dorange_taxed,
          "dapple_price" : dapple_price, "dorange_price" : dorange_price, "dtax" : dtax}
''',
    "xyz_solution": '''
def xyz_forward(x, y, z) :
  q = x + y
  return {"q" : q, "f" : q * z}


def xyz_backward(x, y, z) :
  """f = (x + y) * z 의 역전파 (연쇄법칙)"""
  q = xyz_forward(x, y, z)["q"]
  df = 1.0
  dq = df * z
  dz = df * q
  dx = dq * 1
  dy = dq * 1
  return {"df" : df, "dq" : dq, "dz" : dz, "dx" : dx, "dy" : dy}
''',
    "below:apple_graph_backward_solution": '''
# 책의 예 : 1개에 100원인 사과 2개, 소비세 10%
사과_가격 = 100
사과_개수 = 2
소비세 = 1.1
미분 = apple_graph_backward(사과_가격, 사과_개수, 소비세)
print("사과 2개의 가격:", apple_graph_forward(사과_가격, 사과_개수, 소비세)["price"])
print(f"사과 가격에 대한 미분: {미분['dapple']:.1f}, 소비세에 대한 미분: {미분['dtax']:.0f}")
''',
}

# --------------------------------------------------------------------------------------------------------------
# 02 단순한 계층

MUL_LAYER = '''
# 곱셈 계층 구현하기
class MulLayer :
  """곱셈 노드 z = x * y (수 또는 같은 모양의 넘파이 배열)"""
  def __init__(self) :
    # 순전파 때의 입력을 역전파에서 쓰려고 보관
    self.x = None
    self.y = None

  def forward(self, x, y) :
    self.x = x
    self.y = y
    결과 = x * y
    return 결과

  def backward(self, dout) :
    dx = dout * self.y  # x와 y를 바꿔서 곱한다
    dy = dout * self.x
    return dx, dy
'''

ADD_LAYER = '''
# 덧셈 계층 구현하기
class AddLayer :
  """덧셈 노드 z = x + y : 보관할 값이 없다"""
  def __init__(self) :
    pass

  def forward(self, x, y) :
    return x + y

  def backward(self, dout) :
    # 덧셈 노드는 상류에서 온 값을 그대로 하류로 보낸다
    dx = dout * 1
    dy = dout * 1
    return dx, dy
'''

SIMPLE_LAYERS = {
    "mul_layer": MUL_LAYER,
    "add_layer_solution": ADD_LAYER,
    "buy_apples_solution": '''
def buy_apples(apple, apple_num, tax) :
  """사과 apple_num개(1개에 apple원)를 소비세 tax로 살 때의 지불 금액과 각 입력에 대한 미분"""
  # 계층들
  사과_계층 = MulLayer()
  소비세_계층 = MulLayer()

  # 순전파
  사과_금액 = 사과_계층.forward(apple, apple_num)
  price = 소비세_계층.forward(사과_금액, tax)

  # 역전파 : 각 변수에 대한 미분 값 구하기
  dprice = 1
  d사과_금액, dtax = 소비세_계층.backward(dprice)
  dapple, dapple_num = 사과_계층.backward(d사과_금액)

  return price, dapple, dapple_num, dtax
''',
    "below:buy_apples_solution": '''
# 1개에 100원인 사과 2개를 살 때 (소비세 10%)
사과_가격 = 100
사과_개수 = 2
소비세 = 1.1
price, d사과, d사과_개수, d소비세 = buy_apples(사과_가격, 사과_개수, 소비세)
print("사과 2개의 가격:", price)
print(f"사과 1개 가격이 1원 오르면 지불 금액은 {d사과:.1f}원 오른다")
print("미분 값 (사과 개수, 소비세):", d사과_개수, d소비세)
''',
    "buy_apples_oranges_solution": '''
def buy_apples_oranges(apple, apple_num, orange, orange_num, tax) :
  """사과와 귤을 함께 살 때 : 덧셈 계층과 곱셈 계층을 조합"""
  # 계층들
  mul_apple_layer = MulLayer()
  mul_orange_layer = MulLayer()
  add_apple_orange_layer = AddLayer()
  mul_tax_layer = MulLayer()

  # 순전파
  apple_price = mul_apple_layer.forward(apple, apple_num)
  orange_price = mul_orange_layer.forward(orange, orange_num)
  all_price = add_apple_orange_layer.forward(apple_price, orange_price)
  price = mul_tax_layer.forward(all_price, tax)

  # 역전파 : 순전파의 반대 순서로
  dprice  = 1
  dall_price, dtax = mul_tax_layer.backward(dprice)
  dapple_price, dorange_price = add_apple_orange_layer.backward(dall_price)
  dorange, dorange_num = mul_orange_layer.backward(dorange_price)
  dapple, dapple_num = mul_apple_layer.backward(dapple_price)

  return price, dapple, dapple_num, dorange, dorange_num, dtax
''',
    "below:buy_apples_oranges_solution": '''
# 사과 2개(개당 100원), 귤 3개(개당 150원), 소비세 10%
가격_목록 = buy_apples_oranges(100, 2, 150, 3, 1.1)
이름들 = ["지불 금액", "d사과", "d사과_개수", "d귤", "d귤_개수", "d소비세"]
for 이름, 값 in zip(이름들, 가격_목록) :
  print(f"{이름} = {값:.2f}")
''',
    "md:below:buy_apples_oranges_solution": '''
**메모** : 덧셈 노드는 미분을 그대로 흘려보내고, 곱셈 노드는 입력을 서로 바꿔 곱한다. 그래서 귤 개수에 대한
미분은 귤 가격 × 소비세 = 165가 된다.
''',
}

# --------------------------------------------------------------------------------------------------------------
# 03 활성화 함수 계층

RELU = '''
## ReLU 계층 구현
class Relu :
  """ReLU 계층 : 순전파 때 x > 0이면 그대로, 아니면 0"""
  def __init__(self) :
    self.mask = None  # x <= 0 인 원소의 위치 (True/False 배열)

  def forward(self, x) :
    self.mask = (x <= 0)
    출력 = x.copy()  # 입력 x 자체는 바꾸지 않는다
    출력[self.mask] = 0
    return 출력

  def backward(self, dout) :
    # 순전파 때 0 이하였던 곳으로는 신호를 보내지 않음 (0을 보냄)
    dx = dout.copy()
    dx[self.mask] = 0
    return dx
'''

SIGMOID = '''
class Sigmoid :
  """시그모이드 계층 : y = 1 / (1 + exp(-x))"""
  def __init__(self) :
    self.out = None

  def forward(self, x) :
    출력 = 1 / (1 + np.exp(-x))
    self.out = 출력  # 순전파의 출력을 보관 후 역전파 계산 시 사용
    return 출력

  def backward(self, dout) :
    # 순전파의 출력 y만으로 계산 : dL/dx = dL/dy * y * (1 - y)
    y = self.out
    dx = dout * y * (1.0 - y)
    return dx
'''

ACTIVATION = {
    "relu_solution": RELU,
    "below:relu_solution": '''
입력 = np.array([[1.0, -0.5], [-2.0, 3.0]])
relu_계층 = Relu()
print("ReLU 순전파 결과:")
print(relu_계층.forward(입력))
print("마스크 (x <= 0):", relu_계층.mask.tolist())
''',
    "sigmoid_solution": SIGMOID,
    "relu_kink_answer": '''
**답.** $x = 0$에서 중심 차분은 $(\\mathrm{relu}(h) - \\mathrm{relu}(-h))/(2h) = h/(2h) = 0.5$이고,
$x = 3\\cdot 10^{-6}$에서는 $(1.3\\cdot 10^{-5} - 0)/(2\\cdot 10^{-5}) = 0.65$가 나온다. $|x| < h$이면 두 점
$x - h$, $x + h$가 꺾이는 점(0)의 양쪽에 걸치기 때문에, 수치 미분은 기울기 0과 1이 섞인 0과 1 사이의 값이 된다.

역전파는 $x = 0$에서 0(미분이 없는 점이라 정한 약속)을, 그 바로 위에서는 1을 준다. 그러니 0 근처에서 오차가
큰 것은 `backward`의 버그가 아니라, 수치 미분이 꺾이는 점을 가로질러 재기 때문이다. 기울기 확인의 입력을 0에서
$h$보다 충분히 멀리 두면 두 점이 한쪽에 머물러서 이런 일이 생기지 않는다.
''',
}

# --------------------------------------------------------------------------------------------------------------
# 04 Affine/Softmax 계층

AFFINE = '''
class Affine :
  """Affine 계층 : out = x·W + b (x가 (N, ...) 모양이면 (N, D)로 펴서 계산)"""
  def __init__(self, W, b) :
    self.W = W
    self.b = b
    self.x = None
    self.원래_모양 = None  # 입력 x의 모양 (텐서 대응)
    # 가중치와 편향 매개변수의 미분
    self.dW = None
    self.db = None

  def forward(self, x) :
    self.원래_모양 = x.shape
    self.x = x.reshape(x.shape[0], -1)
    out = np.dot(self.x, self.W) + self.b
    return out

  def backward(self, dout) :
    dx = np.dot(dout, self.W.T)
    self.dW = np.dot(self.x.T, dout)
    self.db = np.sum(dout, axis = 0)
    return dx.reshape(*self.원래_모양)  # 입력 데이터 모양으로 되돌림
'''

SOFTMAX = '''
def softmax(x) :
  """소프트맥스 함수 : (C,) 또는 (N, C), 행마다 따로"""
  if x.ndim == 2 :
    x = x.T
    x = x - np.max(x, axis=0)  # 오버플로 대책
    y = np.exp(x) / np.sum(np.exp(x), axis=0)
    return y.T

  x = x - np.max(x)  # 오버플로 대책
  return np.exp(x) / np.sum(np.exp(x))
'''

CROSS_ENTROPY = '''
def cross_entropy_error(y, t) :
  """교차 엔트로피 오차 (배치의 평균). t는 원-핫 벡터 또는 정답 레이블의 인덱스"""
  if y.ndim == 1 :
    t = t.reshape(1, t.size)
    y = y.reshape(1, y.size)

  # 훈련 데이터가 원-핫 벡터라면 정답 레이블의 인덱스로 바꾼다
  if t.size == y.size :
    t = t.argmax(axis=1)

  배치_크기 = y.shape[0]
  return -np.sum(np.log(y[np.arange(배치_크기), t] + 1e-7)) / 배치_크기
'''

SOFTMAX_WITH_LOSS = '''
class SoftmaxWithLoss :
  """Softmax-with-Loss 계층 : 소프트맥스 + 교차 엔트로피 오차"""
  def __init__(self) :
    self.loss = None  # 손실
    self.y = None     # softmax의 출력
    self.t = None     # 정답 레이블 (원-핫 벡터 또는 인덱스)

  def forward(self, x, t) :
    self.t = t
    self.y = softmax(x)
    self.loss = cross_entropy_error(self.y, self.t)
    return self.loss

  def backward(self, dout = 1) :
    배치_크기 = self.t.shape[0]
    if self.t.size == self.y.size :  # 원-핫 벡터
      dx = (self.y - self.t) / 배치_크기  # 데이터 1개당 오차를 앞 계층으로 전파
    else :  # 인덱스 레이블
      dx = self.y.copy()
      dx[np.arange(배치_크기), self.t] -= 1
      dx = dx / 배치_크기
    return dx * dout
'''

AFFINE_SOFTMAX = {
    "affine": AFFINE,
    "softmax_solution": SOFTMAX,
    "below:softmax_solution": '''
점수 = np.array([0.3, 2.9, 4.0])
확률 = softmax(점수)
print("소프트맥스 출력:", np.round(확률, 4), "합계:", round(float(np.sum(확률)), 6))
''',
    "cross_entropy_solution": CROSS_ENTROPY,
    "softmax_with_loss": SOFTMAX_WITH_LOSS,
    "y_minus_t_answer": '''
**답.** 소프트맥스의 출력은 $y_k = e^{a_k}/S$ ($S = \\sum_i e^{a_i}$)이므로 $\\log y_k = a_k - \\log S$, 즉 교차
엔트로피의 log가 소프트맥스의 exp를 상쇄한다. 원-핫 레이블은 합이 1이라서 손실은 $L = -\\sum_k t_k a_k + \\log S$가
되고, $\\log S$를 $a_j$로 미분하면 $e^{a_j}/S = y_j$이다. 그래서 데이터 1개의 역전파는 $y - t$, 즉 소프트맥스의
출력과 정답 레이블의 차분이 된다.

$N$으로 나누는 이유 : 배치의 손실은 $N$개 손실의 **평균**이라서, 데이터 1개의 기울기에 $1/N$이 곱해진다. 나누지
않으면 기울기(그리고 매개변수 갱신의 크기)가 배치 크기에 비례해서 커진다.
''',
}

# --------------------------------------------------------------------------------------------------------------
# 05 오차역전파법 구현

NUMERICAL_GRADIENT = '''
def numerical_gradient(f, x) :
  """수치 미분 (중심 차분) : x의 원소를 하나씩 h만큼 움직여 본다. x는 끝나면 원래대로"""
  h = 1e-4  # 0.0001
  grad = np.zeros_like(x)

  it = np.nditer(x, flags=['multi_index'], op_flags=['readwrite'])
  while not it.finished :
    idx = it.multi_index
    원래_값 = x[idx]
    x[idx] = float(원래_값) + h
    fxh1 = f(x)  # f(x+h)

    x[idx] = 원래_값 - h
    fxh2 = f(x)  # f(x-h)
    grad[idx] = (fxh1 - fxh2) / (2*h)

    x[idx] = 원래_값  # 값 복원
    it.iternext()

  return grad
'''

TWO_LAYER_NET = '''
class TwoLayerNet :
  """2층 신경망 : Affine1 → Relu1 → Affine2 → SoftmaxWithLoss"""
  def __init__(self, input_size, hidden_size, output_size,
               weight_init_std = 0.01) :
    # 가중치 초기화
    self.params = {}
    self.params['W1'] = weight_init_std * np.random.randn(input_size, hidden_size)
    self.params['b1'] = np.zeros(hidden_size)
    self.params['W2'] = weight_init_std * np.random.randn(hidden_size, output_size)
    self.params['b2'] = np.zeros(output_size)

    # 계층 생성 (OrderedDict : 순서가 보장되는 dict)
    self.layers = OrderedDict()
    self.layers['Affine1'] = Affine(self.params['W1'], self.params['b1'])
    self.layers['Relu1'] = Relu()
    self.layers['Affine2'] = Affine(self.params['W2'], self.params['b2'])

    self.lastLayer = SoftmaxWithLoss()

  def predict(self, x) :
    for 계층 in self.layers.values() :
      x = 계층.forward(x)
    return x

  # x : 입력 데이터, t : 정답 레이블
  def loss(self, x, t) :
    y = self.predict(x)
    return self.lastLayer.forward(y, t)

  def accuracy(self, x, t) :
    y = self.predict(x)
    y = np.argmax(y, axis=1)
    if t.ndim != 1 : t = np.argmax(t, axis=1)

    정확도 = np.sum(y == t) / float(x.shape[0])
    return 정확도

  def numerical_gradient(self, x, t) :
    loss_W = lambda W : self.loss(x, t)

    grads = {}
    for 키 in ('W1', 'b1', 'W2', 'b2') :
      grads[키] = numerical_gradient(loss_W, self.params[키])
    return grads

  def gradient(self, x, t) :
    # 순전파
    self.loss(x, t)

    # 역전파
    dout = 1
    dout = self.lastLayer.backward(dout)

    계층들 = list(self.layers.values())  # 입력한 순서의 반대로 호출하면 역전파
    계층들.reverse()
    for 계층 in 계층들 :
      dout = 계층.backward(dout)

    # 결과 저장
    grads = {}
    grads['W1'] = self.layers['Affine1'].dW
    grads['b1'] = self.layers['Affine1'].db
    grads['W2'] = self.layers['Affine2'].dW
    grads['b2'] = self.layers['Affine2'].db
    return grads
'''

FULL_BACKPROP = {
    "pasted_layers": "\n".join([RELU, AFFINE, SOFTMAX, CROSS_ENTROPY, SOFTMAX_WITH_LOSS]),
    "numerical_gradient_solution": NUMERICAL_GRADIENT,
    "two_layer_net": TWO_LAYER_NET,
    "gradient_check_solution": '''
def gradient_check(network, x, t) :
  """기울기 확인 : 수치 미분으로 구한 기울기와 오차역전파법으로 구한 기울기를 비교"""
  grad_numerical = network.numerical_gradient(x, t)
  grad_backprop = network.gradient(x, t)

  # 각 가중치의 절댓값 차이의 평균
  결과 = {}
  for key in grad_numerical.keys() :
    diff = np.average(np.abs(grad_backprop[key] - grad_numerical[key]))
    상대_오차 = rel_error(grad_backprop[key], grad_numerical[key])
    print(f"{key} : 절댓값 차이의 평균 = {diff:.2e}, 상대 오차 = {상대_오차:.2e}")
    결과[key] = diff
  return 결과
''',
    "gradient_check_answer": '''
**답.** 상대 오차가 가장 큰 매개변수는 W1로, 약 $1.5\\cdot 10^{-6}$이다 (b1, W2, b2는 $4\\sim 6\\cdot 10^{-7}$ 정도).
버그가 아니다 : $10^{-2}$보다 훨씬 작고, 확인 셀이 허용하는 $10^{-5}$ 안에 있다.

원인은 교차 엔트로피 오차의 log 안에 더한 `1e-7`이다. 수치 미분은 `1e-7`이 들어간 손실을 재고, 역전파는 그것
없이 $y - t$를 계산하므로 둘은 대략 $10^{-7}/y_t$만큼 다르다. 출력된 정답 클래스의 확률이 0.389, 0.164, 0.364,
0.278이니 $10^{-7}/y_t$는 $2.6\\cdot 10^{-7}$에서 $6.1\\cdot 10^{-7}$ 사이로, b1, W2, b2의 값과 맞는다. W1은 네 데이터의
기여가 서로 일부 상쇄되어서 같은 절대 오차가 더 큰 상대 오차가 된다.
''',
    "time_gradients": '''
import time

def time_gradients(network, x, t) :
  """오차역전파법과 수치 미분의 시간(초)을 잰다"""
  가중치_수 = sum(p.size for p in network.params.values())
  loss_W = lambda W : network.loss(x, t)

  시작 = time.perf_counter()
  for _ in range(5) :
    network.gradient(x, t)  # 성능 개선판 (역전파)
  역전파 = (time.perf_counter() - 시작) / 5

  시작 = time.perf_counter()
  numerical_gradient(loss_W, network.params['b1'])
  가중치_하나당 = (time.perf_counter() - 시작) / network.params['b1'].size

  return {'backprop' : 역전파, 'numerical_per_weight' : 가중치_하나당,
          'numerical_all' : 가중치_하나당 * 가중치_수}
''',
}

# --------------------------------------------------------------------------------------------------------------
# 06 오차역전파법을 사용한 학습 구현

TRAINING = {
    "two_layer_net": "\n".join([RELU, AFFINE, SOFTMAX, CROSS_ENTROPY, SOFTMAX_WITH_LOSS,
                                "from collections import OrderedDict  # 순서가 보장되는 dict\n",
                                TWO_LAYER_NET]),
    "sgd_update_solution": '''
def sgd_update(params, grads, learning_rate) :
  """확률적 경사 하강법(SGD) : 매개변수를 기울기 방향으로 아주 조금 갱신 (배열 자체를 바꾼다)"""
  for key in ('W1', 'b1', 'W2', 'b2') :
    params[key] -= learning_rate * grads[key]
''',
    "train_solution": '''
def train(network, x_train, t_train, x_test, t_test, iters_num=10000, batch_size=100,
          learning_rate=0.1, seed=0, progress=True) :
  """미니배치 학습 : 1. 미니배치 2. 기울기 산출 3. 매개변수 갱신 4. 반복"""
  rng = np.random.default_rng(seed)
  train_loss_list = []
  train_acc_list = []
  test_acc_list = []

  train_size = x_train.shape[0]
  iter_per_epoch = max(train_size // batch_size, 1)  # 1에포크당 반복 수

  for i in tqdm(range(iters_num), desc="학습 중", disable=not progress) :
    # 미니배치 획득
    batch_mask = rng.choice(train_size, batch_size)
    x_batch = x_train[batch_mask]
    t_batch = t_train[batch_mask]

    # 기울기 계산 (오차역전파법)
    grad = network.gradient(x_batch, t_batch)

    # 매개변수 갱신
    sgd_update(network.params, grad, learning_rate)

    # 학습 경과 기록
    손실 = network.loss(x_batch, t_batch)
    train_loss_list.append(손실)

    # 1에포크당 정확도 계산
    if i % iter_per_epoch == 0 :
      train_acc = network.accuracy(x_train, t_train)
      test_acc = network.accuracy(x_test, t_test)
      train_acc_list.append(train_acc)
      test_acc_list.append(test_acc)

  return {"train_loss_list" : train_loss_list, "train_acc_list" : train_acc_list,
          "test_acc_list" : test_acc_list}
''',
    "below:train_solution": '''
# 학습 곡선의 모양을 미리 보기 : 작은 데이터로 몇 번만
np.random.seed(0)
시험용_신경망 = TwoLayerNet(input_size=4, hidden_size=3, output_size=2)
시험용_x = np.random.randn(20, 4)
시험용_t = np.eye(2)[np.arange(20) % 2]
기록 = train(시험용_신경망, 시험용_x, 시험용_t, 시험용_x, 시험용_t, iters_num=3, batch_size=5, progress=False)
print(f"손실 {len(기록['train_loss_list'])}개, 에포크마다의 정확도 {len(기록['train_acc_list'])}개")
''',
    "validation_answer": '''
**답.** 여러 학습률을 시도해 보고 시험 데이터의 정확도가 가장 좋은 것을 고르면, 시험 데이터가 학습의 결정에 끼어든다.
우연히 그 시험 이미지들에 가장 잘 맞는 설정을 고르게 되므로, 그렇게 얻은 시험 정확도는 실제보다 낙관적이고, 처음 보는
데이터에서의 성능을 더 이상 정직하게 추정하지 못한다.

그래서 하이퍼파라미터는 훈련 데이터에서 떼어 낸 **검증 데이터**로 고르고, 시험 데이터는 모든 결정이 끝난 뒤 마지막에
한 번만 써서 범용 성능을 잰다.
''',
}

KOREAN = {A01: GRAPHS, A02: SIMPLE_LAYERS, A03: ACTIVATION, A04: AFFINE_SOFTMAX, A05: FULL_BACKPROP, A06: TRAINING}

# Korean text each submission must get back unchanged: printed lines (outputs) and comments (cells)
SEEN = {
    A01: {"printed": ["사과 2개의 가격: 220.00000000000003", "사과 가격에 대한 미분: 2.2, 소비세에 대한 미분: 200"],
          "source": ["# 역전파 : 오른쪽에서 왼쪽으로, 상류의 미분에 국소적 미분을 곱해서 전달"]},
    A02: {"printed": ["사과 2개의 가격: 220.00000000000003", "사과 1개 가격이 1원 오르면 지불 금액은 2.2원 오른다",
                      "d귤_개수 = 165.00", "지불 금액 = 715.00"],
          "source": ["dx = dout * self.y  # x와 y를 바꿔서 곱한다", "사과_금액 = 사과_계층.forward(apple, apple_num)",
                     "**메모** : 덧셈 노드는 미분을 그대로 흘려보내고"]},
    A03: {"printed": ["ReLU 순전파 결과:", "마스크 (x <= 0): [[False, True], [True, False]]"],
          "source": ["# 순전파 때 0 이하였던 곳으로는 신호를 보내지 않음 (0을 보냄)",
                     "**답.** $x = 0$에서 중심 차분은"]},
    A04: {"printed": ["소프트맥스 출력: [0.0182 0.2452 0.7366] 합계: 1.0"],
          "source": ["return dx.reshape(*self.원래_모양)  # 입력 데이터 모양으로 되돌림",
                     "**답.** 소프트맥스의 출력은"]},
    A05: {"printed": ["W1 : 절댓값 차이의 평균 = "],
          "source": ["\"\"\"기울기 확인 : 수치 미분으로 구한 기울기와 오차역전파법으로 구한 기울기를 비교\"\"\"",
                     "**답.** 상대 오차가 가장 큰 매개변수는 W1로"]},
    A06: {"printed": ["손실 3개, 에포크마다의 정확도 1개"],
          "source": ["# 미니배치 획득", "**답.** 여러 학습률을 시도해 보고"]},
}


def korean_submission(name, lang="en"):
    """The released notebook of assignment ``name`` as the Korean student hands it in: every answer cell
    (code and written) in their words, and the cells they added beside them. ``lang``: the edition it was released
    in (``"ko"``: its Korean release when built, else the English release with the Korean prose put in)."""
    from course.editions import edition_root, translate

    a = by_name(name)
    released = edition_root(lang) / "release" / a.name / a.notebook
    if released.is_file():
        nb = nbformat.read(released, as_version=4)
    else:  # the same cells, the prose from the edition's catalog (the answer stubs stay as released)
        nb = translate(nbformat.read(ROOT / "release" / a.name / a.notebook, as_version=4), lang, a.name,
                       strict=False)
    cells = KOREAN[name]
    answers = {nbtools.grade_id(c) for c in nb.cells if nbtools.is_solution(c)}
    typed = {k for k in cells if ":" not in k}
    assert typed == answers, f"{name}: the Korean submission fills every answer cell ({sorted(answers)})"

    def added(where, gid):
        new = []
        for key, text in cells.items():
            kind, _, rest = key.partition(":") if key.startswith("md:") else ("code", "", key)
            if rest == f"{where}:{gid}":
                make = nbformat.v4.new_markdown_cell if kind == "md" else nbformat.v4.new_code_cell
                new.append(make(text.strip("\n")))
        return new

    out = []
    for cell in nb.cells:
        gid = nbtools.grade_id(cell)
        out += added("above", gid)
        if gid in typed:
            cell.source = cells[gid].strip("\n")
        out.append(cell)
        out += added("below", gid)
    nb.cells = out
    return nb
