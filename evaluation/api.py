"""Read-only API of published evaluation results (nothing of an unpublished cycle leaks)."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors
from .serializers import CycleOutputSerializer, ScorecardOutputSerializer, TrendOutputSerializer


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
