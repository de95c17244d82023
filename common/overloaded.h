// Overloaded: a visitor made of lambdas, for std::visit. The deduction guide is needed by clang 14,
// which does not deduce an aggregate's template arguments from its initializers. Header-only.
#pragma once

namespace movn {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace movn
