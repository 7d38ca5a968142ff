"""The API of published evaluation results (nothing of an unpublished cycle leaks), and the two
steps of a rectification order: the department's answer (with its "after" photo) and the
evaluator's verification."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from civicworks.parsers import JSONParser

from . import selectors, services
from .errors import EvaluationError
from .serializers import (
    CycleOutputSerializer,
    OrderAnswerInputSerializer,
    OrderOutputSerializer,
    OrderVerifyInputSerializer,
    ScorecardOutputSerializer,
    TrendOutputSerializer,
)


class CycleListApi(ListAPIView):
    """Published review cycles, newest first, with their weighting scheme."""

    permission_classes = [AllowAny]
    serializer_class = CycleOutputSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.published_cycles().select_related("scheme").order_by("-year", "-quarter")


class ScorecardListApi(ListAPIView):
    """Scorecards of one published cycle, best first: scores, grade, ranks, change against last quarter."""

    permission_classes = [AllowAny]
    serializer_class = ScorecardOutputSerializer
    filter_backends: list = []

    def get_queryset(self):
        cycle = selectors.published_cycle(self.kwargs["year"], self.kwargs["quarter"])
        if cycle is None:
            raise Http404
        return selectors.cycle_scorecards(cycle).select_related("project__category", "project__district")


class TrendApi(APIView):
    """City-wide average score and share of satisfied residents per published quarter."""

    permission_classes = [AllowAny]

    @extend_schema(responses=TrendOutputSerializer(many=True))
    def get(self, request):
        return Response(TrendOutputSerializer(selectors.cycle_trend(), many=True).data)


class _OrderStepApi(APIView):
    """A step on one order: 404 unless the console shows the order to this user; the service says who may act."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def order(self):
        return get_object_or_404(selectors.orders_for_user(self.request.user), pk=self.kwargs["pk"])


class OrderAnswerApi(_OrderStepApi):
    """The responsible department's rectification report (multipart `response`, `photo`, `caption`)."""

    @extend_schema(request=OrderAnswerInputSerializer, responses={200: OrderOutputSerializer})
    def post(self, request, pk: int):
        order = self.order()
        data = OrderAnswerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.order_answer(order=order, by=request.user, **data.validated_data)
        return Response(OrderOutputSerializer(order).data)


class OrderVerifyApi(_OrderStepApi):
    """The evaluator verifies an order in the cycle open now: rectified (closed) or not (问责).

    An order that requires an "after" photo is refused as rectified without one (400).
    """

    @extend_schema(request=OrderVerifyInputSerializer, responses={200: OrderOutputSerializer})
    def post(self, request, pk: int):
        order = self.order()
        data = OrderVerifyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cycle = selectors.verifying_cycle()
        if cycle is None:
            raise EvaluationError(_("Open the next cycle to verify orders in it."))
        order = services.order_verify(order=order, cycle=cycle, by=request.user, **data.validated_data)
        return Response(OrderOutputSerializer(order).data)
